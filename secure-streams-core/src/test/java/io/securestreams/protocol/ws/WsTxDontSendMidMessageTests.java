package io.securestreams.protocol.ws;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A ws handler that returns TX_DONT_SEND while its message is open (after SOM, before EOM) pauses
 * the message until it calls {@code requestTx()} again, as streams.md and the writer say: the
 * frames already written drain without {@code onTx} being asked for more (the connection turned
 * unwritable and writable again before the pause), and the next request ends the same message.
 */
class WsTxDontSendMidMessageTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int BIG = 64 * 1024;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void txDontSendInsideAMessageWaitsForTheNextRequestTx() {
		JettyWsServer jetty = this.resources.closing(new JettyWsServer(null, false));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), jetty.port(), "/echo").set(StreamTypeKey.WS_BINARY, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		AtomicInteger calls = new AtomicInteger();
		AtomicInteger callsWhilePaused = new AtomicInteger();
		AtomicBoolean paused = new AtomicBoolean();
		AtomicBoolean resumed = new AtomicBoolean();
		RecordingHandler handler = new RecordingHandler() {

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				int call = calls.incrementAndGet();
				if (paused.get() && !resumed.get()) {
					callsWhilePaused.incrementAndGet();
					return StreamResult.TX_DONT_SEND;
				}
				if (resumed.get()) {
					slot.write(new byte[] { 'e', 'n', 'd' }).flags(StreamFlags.EOM);
					return StreamResult.OK;
				}
				if (call == 1) {
					slot.write(new byte[10]).flags(StreamFlags.SOM);
					return StreamResult.OK;
				}
				if (call <= 4) {
					// Whole 64 KiB frames take the connection past its write mark: it turns
					// unwritable and writable again as the peer reads.
					byte[] piece = new byte[BIG];
					Arrays.fill(piece, (byte) call);
					slot.write(piece);
					return StreamResult.OK;
				}
				paused.set(true);
				return StreamResult.TX_DONT_SEND;
			}

		};
		SecureStream stream = streams.create("ws", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, WAIT);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).untilTrue(paused);
		// The frames already written drain meanwhile; nothing may call onTx for the paused message.
		Awaitility.await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> handler.received().length
				== 10 + 3 * BIG);
		assertThat(callsWhilePaused).as("onTx calls while the message was paused").hasValue(0);
		resumed.set(true);
		stream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 10 + 3 * BIG + 3);
		assertThat(callsWhilePaused).hasValue(0);
	}

}
