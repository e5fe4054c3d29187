package io.securestreams.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener that throws cannot affect the streams it observes, whatever it throws: an
 * {@code Error} (an {@code AssertionError} of a monitoring check, say) is logged as an exception
 * is, the other listeners and the handler still get the event. Before, an {@code Error} left the
 * listener loop in the middle of reporting a state: the handler never heard of the state, and a
 * source of a local sink stayed at CREATING for good.
 */
class ThrowingListenerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aListenerThrowingAnErrorIsLoggedAndTheStreamCarriesOn() throws Exception {
		Policy policy = TestPolicies.helloWorldSink();
		List<StreamState> seenByTheSecond = new CopyOnWriteArrayList<>();
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy)
			.eventLoopThreads(2)
			.listener(new StreamEventListener() {
				@Override
				public void stateChanged(SecureStream stream, @Nullable StreamState previous, StreamState state) {
					throw new AssertionError("monitoring check failed at " + state);
				}
			})
			.listener(new StreamEventListener() {
				@Override
				public void stateChanged(SecureStream stream, @Nullable StreamState previous, StreamState state) {
					if (stream.role() == StreamRole.CLIENT) {
						seenByTheSecond.add(state);
					}
				}
			}));
		try (CapturedLogs logs = new CapturedLogs("io.securestreams")) {
			streams.registerSink("sink_hello_world", new EchoSink());
			RecordingHandler source = new RecordingHandler().send("Hi".getBytes(StandardCharsets.UTF_8), 1000);
			SecureStream stream = streams.create("sink_hello_world", source);
			stream.requestTx();
			Awaitility.await()
				.atMost(WAIT)
				.until(() -> new String(source.received(), StandardCharsets.UTF_8).equals("From Sink: Hi"));
			assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
			assertThat(seenByTheSecond).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED);
			assertThat(logs.await("stream event listener failed")).isNotNull();
		}
	}

}
