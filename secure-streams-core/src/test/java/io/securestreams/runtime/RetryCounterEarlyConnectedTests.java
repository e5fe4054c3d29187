package io.securestreams.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry counter resets when a connection is established (for http, when the response head
 * arrives; reference 5.2), not at the CONNECTED a proxy's onward POST reports as soon as its
 * request head is out, so that its client can send the body (reference 3.3). A server answering
 * 503 to every POST reset the count at each attempt: the proxy's onward stream retried for ever
 * and never spent the streamtype's {@code conceal} budget.
 */
class RetryCounterEarlyConnectedTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aPostAnsweredWith503EveryTimeSpendsTheRetryBudget(Mode mode) throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return new MockResponse.Builder().code(503).body("busy").build();
			}
		});
		PolicyFragment fragment = TestPolicies.base();
		// "fast": conceal 3, so the fourth failed attempt is the last.
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", server.getPort(), "POST", "/post");
		StreamsUnderTest streams = this.resources.start(mode, fragment.build());
		byte[] body = "payload".getBytes(StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public io.securestreams.StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTING) {
					// Each attempt sends the body anew.
					send(body, body.length);
				}
				if (state == StreamState.CONNECTED && mode == Mode.PROXIED) {
					// A proxied client sends its body once the onward request head is out.
					stream.requestTx();
				}
				return super.onState(stream, state, ack);
			}
		};
		SecureStream stream = streams.streams().create("t", handler);
		stream.requestTxLen(body.length);
		// Four attempts, and no more: the "fast" backoff waits at most 130 ms between two.
		Awaitility.await().atMost(WAIT).until(server::getRequestCount, (count) -> count >= 4);
		Awaitility.await().during(Duration.ofMillis(800)).atMost(WAIT)
			.until(server::getRequestCount, (count) -> count == 4);
		if (mode == Mode.DIRECT) {
			// A proxied client is told DISCONNECTED, after which its table allows no ALL_RETRIES_FAILED.
			assertThat(handler.stateNames()).endsWith("UNREACHABLE", "ALL_RETRIES_FAILED");
		}
	}

}
