package io.securestreams.retry;

import java.util.List;
import java.util.function.IntSupplier;

import io.securestreams.policy.RetryPolicy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTests {

	private static final IntSupplier NO_RANDOM = () -> 0;

	private static final IntSupplier MAX_RANDOM = () -> 0xFFFF;

	private static RetryPolicy policy(List<Integer> backoff, int conceal, Integer jitter) {
		return new RetryPolicy("r", backoff, conceal, jitter, 0, 0);
	}

	@Test
	void wholeTableIsUsedAndTheLastEntryRepeats() {
		RetryPolicy policy = policy(List.of(1000, 2000, 3000, 5000, 10000), 10, 0);
		long[] delays = new long[8];
		for (int i = 0; i < delays.length; i++) {
			delays[i] = Backoff.delayMillis(policy, i, NO_RANDOM);
		}
		assertThat(delays).containsExactly(1000, 2000, 3000, 5000, 10000, 10000, 10000, 10000);
		assertThat(Backoff.baseDelay(policy, -1)).isEqualTo(1000);
	}

	@Test
	void jitterAddsUpToJustUnderThePercentage() {
		RetryPolicy policy = policy(List.of(1000), 5, 20);
		assertThat(Backoff.delayMillis(policy, 0, NO_RANDOM)).isEqualTo(1000);
		// 1000 + ((1000 * 20 * 65535) >> 16) / 100 = 1000 + 199
		assertThat(Backoff.delayMillis(policy, 0, MAX_RANDOM)).isEqualTo(1199);
		assertThat(Backoff.delayMillis(policy, 0, () -> 0x8000)).isEqualTo(1100);
		// Only the low 16 bits of the random source count.
		assertThat(Backoff.delayMillis(policy, 0, () -> 0x18000)).isEqualTo(1100);
	}

	@Test
	void absentJitterMeansThirtyPercentAndExplicitZeroMeansNone() {
		RetryPolicy absent = policy(List.of(1000), 5, null);
		RetryPolicy zero = policy(List.of(1000), 5, 0);
		assertThat(absent.effectiveJitterPercent()).isEqualTo(30);
		assertThat(Backoff.delayMillis(absent, 0, MAX_RANDOM)).isEqualTo(1299);
		assertThat(Backoff.delayMillis(zero, 0, MAX_RANDOM)).isEqualTo(1000);
	}

	@Test
	void noPolicyOrEmptyTableMeansThreeSecondsWithThirtyPercent() {
		assertThat(Backoff.delayMillis(null, 0, NO_RANDOM)).isEqualTo(3000);
		assertThat(Backoff.delayMillis(null, 7, MAX_RANDOM)).isEqualTo(3899);
		assertThat(Backoff.delayMillis(policy(List.of(), 1, 0), 3, MAX_RANDOM)).isEqualTo(3000);
	}

	@Test
	void concealCountsFailuresUpToTheBudget() {
		RetryPolicy policy = policy(List.of(1000), 5, 20);
		for (int failures = 1; failures <= 5; failures++) {
			assertThat(Backoff.concealed(policy, failures)).as("failure %d", failures).isTrue();
		}
		assertThat(Backoff.concealed(policy, 6)).isFalse();
		assertThat(Backoff.concealed(policy(List.of(1000), 0, 20), 1)).isFalse();
	}

	@Test
	void concealOf65535RetriesForever() {
		RetryPolicy forever = policy(List.of(1000), RetryPolicy.CONCEAL_FOREVER, 20);
		assertThat(Backoff.concealed(forever, 1)).isTrue();
		assertThat(Backoff.concealed(forever, 65535)).isTrue();
		assertThat(Backoff.concealed(forever, Integer.MAX_VALUE)).isTrue();
	}

	@Test
	void noPolicyMeansNoRetries() {
		assertThat(Backoff.concealed(null, 1)).isFalse();
		RetryTracker tracker = new RetryTracker(NO_RANDOM);
		assertThat(tracker.onFailure(null)).isEqualTo(-1);
	}

	@Test
	void trackerFollowsThePolicyAndResets() {
		RetryPolicy policy = policy(List.of(100, 200), 3, 0);
		RetryTracker tracker = new RetryTracker(NO_RANDOM);
		assertThat(tracker.onFailure(policy)).isEqualTo(100);
		assertThat(tracker.onFailure(policy)).isEqualTo(200);
		assertThat(tracker.onFailure(policy)).isEqualTo(200);
		assertThat(tracker.onFailure(policy)).isEqualTo(-1);
		assertThat(tracker.failures()).isEqualTo(4);
		tracker.reset();
		assertThat(tracker.failures()).isZero();
		assertThat(tracker.onFailure(policy)).isEqualTo(100);
	}

}
