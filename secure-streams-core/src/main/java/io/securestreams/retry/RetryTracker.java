package io.securestreams.retry;

import java.util.function.IntSupplier;

import io.securestreams.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * Counts one stream's failed connection attempts and decides, for each failure, whether to
 * retry and after how long. Not thread-safe: a stream uses it from its own event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RetryTracker {

	private final IntSupplier random16;

	private int failures;

	/**
	 * Creates a tracker.
	 * @param random16 source of uniform random numbers in 0..65535 for jitter
	 */
	public RetryTracker(IntSupplier random16) {
		this.random16 = random16;
	}

	/**
	 * Records a failed attempt.
	 * @param policy the retry policy in force, or {@code null} for none
	 * @return the delay before the next attempt in milliseconds, or -1 when all retries failed
	 */
	public long onFailure(@Nullable RetryPolicy policy) {
		int tryIndex = this.failures;
		this.failures = Math.min(this.failures + 1, RetryPolicy.CONCEAL_FOREVER);
		if (!Backoff.concealed(policy, this.failures)) {
			return -1;
		}
		return Backoff.delayMillis(policy, tryIndex, this.random16);
	}

	/**
	 * Forgets earlier failures, after a connection was established or an explicit connect.
	 */
	public void reset() {
		this.failures = 0;
	}

	/**
	 * Returns the number of failures since the last reset.
	 * @return the count
	 */
	public int failures() {
		return this.failures;
	}

}
