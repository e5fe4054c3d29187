package io.securestreams.sink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sources of a local sink created and destroyed many times over a registration's life: the sink
 * streams it lists (and counts for SINK_JOIN) must be only the live ones.
 */
class LocalSinkChurnTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String POLICY = """
			{ "release": "01234567", "product": "myproduct", "schema-version": 1,
			  "s": [ { "sink": { "local_sink": true } } ] }
			""";

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void sinkStreamsDestroyedFromTheirCreatingLeaveTheRegistration() throws Exception {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
		RecordingHandler sink = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CREATING) {
				stream.destroy();
			}
			return StreamResult.OK;
		});
		SinkRegistration registration = streams.registerSink("sink", sink);
		for (int i = 0; i < 500; i++) {
			try {
				SecureStream source = streams.create("sink", new RecordingHandler());
				source.destroy();
			}
			catch (SecureStreamsException ex) {
				// The sink stream went away before its source was paired: the creation may fail.
			}
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
			assertThat(registration.joined()).isZero();
		});
	}

}
