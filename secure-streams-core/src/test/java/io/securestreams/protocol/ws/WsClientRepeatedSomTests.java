package io.securestreams.protocol.ws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler that starts a message (SOM) while the previous one is still open (no EOM yet) breaks
 * its own stream: the client fails the connection as a ws endpoint should, with a close frame
 * (1011, an internal error: the server did nothing wrong) before the TCP connection goes, not by
 * just dropping it, and names the stream in its log line.
 */
class WsClientRepeatedSomTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	@Test
	void aSecondSomBeforeEomSendsACloseFrameThenDropsTheConnection() throws Exception {
		JettyWsServer jetty = this.resources.closing(new JettyWsServer(null, false));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), jetty.port(), "/echo").set(StreamTypeKey.OPPORTUNISTIC, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		AtomicInteger txCalls = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler() {

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				// Both writes claim to start a message; neither ends one.
				String text = (txCalls.incrementAndGet() == 1) ? "first" : "second";
				slot.write(text.getBytes(StandardCharsets.US_ASCII)).flags(StreamFlags.SOM);
				return StreamResult.OK;
			}

		};
		SecureStream stream = streams.create("ws", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, WAIT);
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> !jetty.closeCodes.isEmpty());
		assertThat(jetty.closeCodes).as("the close status Jetty saw (1006: no close frame)").containsExactly(1011);
		assertThat(txCalls).hasValue(2);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		assertThat(this.logs.warnings()).anyMatch((line) -> line.contains("ws stream 'ws'")
				&& line.contains("(SOM) before ending the previous one"));
	}

}
