package io.securestreams.protocol.ws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A length announced with {@code requestTxLen} belongs to the connection whose message it frames:
 * when that connection drops in the middle of the message, the next connection starts afresh.
 */
class WsClientTxLengthAcrossReconnectTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams start(int port, String url, String retry) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), port, url).set(StreamTypeKey.RETRY, retry);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	@Test
	void aLengthAnnouncedOnAConnectionThatDroppedMidMessageDoesNotOutliveIt() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			SecureStreams streams = start(jetty.port(), "/echo", "fast");
			List<Long> remainingOnSecond = new CopyOnWriteArrayList<>();
			AtomicInteger connections = new AtomicInteger();
			AtomicInteger txCalls = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler() {

				@Override
				public StreamResult onState(SecureStream stream, StreamState state, long ack) {
					StreamResult result = super.onState(stream, state, ack);
					if (state == StreamState.CONNECTED) {
						// Each connection announces a message of its own.
						stream.requestTxLen((connections.incrementAndGet() == 1) ? 3000 : 5);
					}
					return result;
				}

				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					if (connections.get() == 1) {
						if (txCalls.incrementAndGet() == 1) {
							slot.buffer().put(new byte[1000]);
							slot.flags(StreamFlags.SOM);
							return StreamResult.OK;
						}
						// The first message is given up half sent, with its connection.
						return StreamResult.DISCONNECT_ME;
					}
					remainingOnSecond.add(slot.remaining());
					slot.buffer().put("hello".getBytes(StandardCharsets.US_ASCII));
					slot.flags(StreamFlags.SOM | StreamFlags.EOM);
					return StreamResult.OK;
				}

			};
			streams.create("ws", handler).connect();
			Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 5);
			// The second connection's message is the 5 bytes announced on it; nothing of the first
			// connection's 3000 (1000 written, 2000 owed) may be left over.
			assertThat(remainingOnSecond).containsExactly(5L);
		}
	}

}
