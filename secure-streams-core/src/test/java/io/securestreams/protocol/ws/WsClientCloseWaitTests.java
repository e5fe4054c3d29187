package io.securestreams.protocol.ws;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.testsupport.HandRolledWsServer.accept;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once our client has sent its close frame it sends nothing more while it waits for the server's
 * (RFC 6455 section 5.5.1), not even the validity PING that comes due meanwhile.
 */
class WsClientCloseWaitTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams start(int port, String url, String retry) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("ping1", List.of(50), RetryPolicy.CONCEAL_FOREVER, 0, 1, 5));
		TestPolicies.ws(fragment.streamType("ws"), port, url).set(StreamTypeKey.RETRY, retry);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	@Test
	void nothingFollowsTheCloseFrameWhileTheClientWaitsForTheServersAnswer() throws Exception {
		List<Integer> opcodes = new CopyOnWriteArrayList<>();
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(upgrade(ScriptedPeer.header(head, "sec-websocket-key")));
			out.flush();
			// Records what the client sends; never answers its close frame.
			DataInputStream data = new DataInputStream(in);
			while (true) {
				opcodes.add(readClientFrame(data) & 0x0f);
			}
		})) {
			SecureStreams streams = start(peer.port(), "/", "ping1");
			RecordingHandler handler = new RecordingHandler() {

				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					return StreamResult.DISCONNECT_ME;
				}

			};
			SecureStream stream = streams.create("ws", handler);
			stream.connect();
			handler.await(StreamState.CONNECTED, WAIT);
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> opcodes.contains(0x8));
			// The validity PING (due 1 s after CONNECTED) must not follow the close frame (RFC 6455
			// 5.5.1); the connection is cut after the bounded wait of 2 s.
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(opcodes).as("frames the client sent").containsExactly(0x8);
		}
	}

	private static byte[] upgrade(String key) {
		return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/** Reads one masked client frame and returns its first byte. */
	private static int readClientFrame(DataInputStream in) throws IOException {
		int first = in.readUnsignedByte();
		int second = in.readUnsignedByte();
		long length = second & 0x7f;
		if (length == 126) {
			length = in.readUnsignedShort();
		}
		else if (length == 127) {
			length = in.readLong();
		}
		if ((second & 0x80) != 0) {
			in.readInt();
		}
		in.skipNBytes(length);
		return first;
	}

}
