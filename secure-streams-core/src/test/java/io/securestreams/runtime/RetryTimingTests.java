package io.securestreams.runtime;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backoff against a closed port follows the whole table, the last entry repeating.
 */
class RetryTimingTests {

	@Test
	void gapsBetweenAttemptsFollowTheBackoffTableAndAllRetriesFailedFollowsTheFifthUnreachable() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = socket.getLocalPort();
		}
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("table", List.of(100, 200, 400), 4, 0, 0, 0));
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", closedPort, "GET", "/")
			.set(StreamTypeKey.RETRY, "table");
		TestPolicies.h1(fragment.streamType("warmup"), "127.0.0.1", closedPort, "GET", "/")
			.set(StreamTypeKey.RETRY, null);
		TransitionGuard guard = new TransitionGuard();
		RecordingHandler handler = new RecordingHandler();
		try (SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(guard)
			.build()) {
			// Load and compile the connect path first, so the first measured gap is not class loading.
			RecordingHandler warmup = new RecordingHandler();
			streams.create("warmup", warmup).requestTx();
			warmup.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(20));
			streams.create("t", handler).requestTx();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(20));
		}
		guard.assertNoViolations();
		List<Long> connecting = times(handler, StreamState.CONNECTING);
		List<Long> unreachable = times(handler, StreamState.UNREACHABLE);
		assertThat(connecting).hasSize(5);
		long[] expected = { 100, 200, 400, 400 };
		for (int i = 0; i < expected.length; i++) {
			long gapMillis = (connecting.get(i + 1) - connecting.get(i)) / 1_000_000;
			long backoffMillis = (connecting.get(i + 1) - unreachable.get(i)) / 1_000_000;
			// Never early beyond the event loop timer's millisecond granularity (and the truncating
			// division); a little late is scheduling and the refused connect itself (2 shared cores in CI).
			assertThat(backoffMillis).as("backoff %d", i + 1).isBetween(expected[i] - 2, expected[i] + 150);
			assertThat(gapMillis).as("gap %d", i + 1).isBetween(expected[i] - 2, expected[i] + 250);
		}
		List<String> names = handler.stateNames();
		assertThat(names.stream().filter("UNREACHABLE"::equals)).hasSize(5);
		// The context's shutdown destroys the idle stream last.
		assertThat(names).endsWith("UNREACHABLE", "ALL_RETRIES_FAILED", "DESTROYING");
	}

	private static List<Long> times(RecordingHandler handler, StreamState state) {
		List<Long> times = new ArrayList<>();
		for (int i = 0; i < handler.states.size(); i++) {
			if (handler.states.get(i) == state) {
				times.add(handler.stateTimesNanos.get(i));
			}
		}
		return times;
	}

}
