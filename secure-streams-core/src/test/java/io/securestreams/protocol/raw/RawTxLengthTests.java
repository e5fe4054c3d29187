package io.securestreams.protocol.raw;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code requestTxLen} on a raw stream: raw has no messages and its tx flags are ignored, so
 * bytes sent without an announced length (and without EOM, which raw needs nowhere) leave no
 * message open, and a length announced afterwards is what {@code slot.remaining()} counts down.
 */
class RawTxLengthTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aLengthAnnouncedAfterUnannouncedBytesIsCountedDown() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			peer.setSoTimeout(10_000);
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort());
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			List<Long> remaining = new CopyOnWriteArrayList<>();
			RecordingHandler handler = new RecordingHandler() {
				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					remaining.add(slot.remaining());
					slot.buffer().put("abc".getBytes(StandardCharsets.US_ASCII));
					// Flags 0: raw ignores them.
					if (remaining.size() == 2) {
						stream.requestTx();
					}
					return StreamResult.OK;
				}
			};
			SecureStream stream = streams.create("raw", handler);
			stream.connect();
			try (Socket socket = peer.accept()) {
				handler.await(StreamState.CONNECTED, Duration.ofSeconds(5));
				stream.requestTx();
				Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> remaining.size() == 1);
				stream.requestTxLen(6);
				socket.setSoTimeout(5000);
				assertThat(socket.getInputStream().readNBytes(9)).asString(StandardCharsets.US_ASCII)
					.isEqualTo("abcabcabc");
				assertThat(remaining).containsExactly(-1L, 6L, 3L);
			}
		}
	}

}
