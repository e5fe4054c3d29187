package io.securestreams.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delays a stream schedules against a refused port, as the context's listener sees them:
 * reference §5.1's {@code base + ((base * jitterpc * r) >> 16) / 100} with the builder's jitter
 * source, the whole table with its last entry repeating, and a {@code conceal} of 0 giving up at
 * the first failure without a retry.
 */
class RetryJitterTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final List<Long> delays = new CopyOnWriteArrayList<>();

	private SecureStream create(RetryPolicy retry, RecordingHandler handler) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(retry);
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.resources.refusedPort(), "GET", "/")
			.set(StreamTypeKey.RETRY, retry.name());
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.jitterSource(() -> 65535)
			.listener(new StreamEventListener() {
				@Override
				public void retryScheduled(SecureStream stream, long delayMillis) {
					RetryJitterTests.this.delays.add(delayMillis);
				}
			}));
		return streams.create("t", handler);
	}

	@Test
	void theJitterSourceAddsJustUnderTheJitterPercentageToEachTableEntry() {
		RecordingHandler handler = new RecordingHandler();
		create(new RetryPolicy("jitter", List.of(100, 200), 3, 20, 0, 0), handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		// 100 + ((100 * 20 * 65535) >> 16) / 100 = 119; 200 gives 239, and the last entry repeats.
		assertThat(this.delays).containsExactly(119L, 239L, 239L);
		assertThat(handler.states.stream().filter(StreamState.UNREACHABLE::equals)).hasSize(4);
	}

	@Test
	void concealZeroGivesUpAtTheFirstFailure() {
		RecordingHandler handler = new RecordingHandler();
		create(new RetryPolicy("none", List.of(100), 0, 20, 0, 0), handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.delays).isEmpty();
	}

}
