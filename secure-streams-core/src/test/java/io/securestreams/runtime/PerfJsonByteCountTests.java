package io.securestreams.runtime;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection performance JSON of a {@code "perf": true} streamtype is no payload: a stream's
 * {@code bytesIn} (which the actuator and the Micrometer byte counter report as payload bytes)
 * counts the body it received and not the PERF_JSON rx, directly and through the proxy.
 */
class PerfJsonByteCountTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final int PERF_ONLY = StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@EnumSource(Mode.class)
	void bytesInCountsThePayloadAndNotThePerfJson(Mode mode) throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().code(200).addHeader("Connection", "close").body("timed").build());
		StreamsUnderTest streams = this.resources.start(mode,
				TestPolicies.with("perf", (b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "/timed")
					.set(StreamTypeKey.PERF, true)),
				(b) -> b.eventLoopThreads(2));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("perf", handler);
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		// The handler gets the JSON as well as the body; through the proxy it may come after the
		// DISCONNECTED the proxy sends at the transaction's outcome (docs/proxy.md).
		await().atMost(WAIT).until(() -> handler.rxFlags.contains(PERF_ONLY));
		assertThat(handler.received().length).isGreaterThan("timed".length());
		assertThat(stream.info().bytesIn()).isEqualTo("timed".length());
	}

}
