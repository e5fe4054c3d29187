package io.securestreams.retry;

import java.util.List;
import java.util.function.IntSupplier;

import io.securestreams.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * The delay before retry number <em>n</em> of a retry policy, as libwebsockets computes it
 * ({@code lws_retry_get_delay_ms}), except that the whole backoff table is used (the C code's
 * parser keeps only its first entry since v4.4; we do not copy that bug).
 * <p>
 * {@code delay = base + ((base * jitter% * r) >> 16) / 100}, where {@code base} is the table
 * entry for the try (the last entry repeats) and {@code r} is a uniform random number in
 * 0..65535. The extra is therefore 0 up to just under {@code jitter%} of {@code base}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class Backoff {

	private Backoff() {
	}

	/**
	 * Returns the delay for a try.
	 * @param policy the retry policy, or {@code null} for the context default (3 s, 30% jitter)
	 * @param tryIndex how many retries were already made (0 for the first retry)
	 * @param random16 source of uniform random numbers in 0..65535
	 * @return the delay in milliseconds
	 */
	public static long delayMillis(@Nullable RetryPolicy policy, int tryIndex, IntSupplier random16) {
		long base = baseDelay(policy, tryIndex);
		int jitter = (policy != null) ? policy.effectiveJitterPercent() : RetryPolicy.DEFAULT_JITTER_PERCENT;
		long r = random16.getAsInt() & 0xFFFF;
		return base + ((base * jitter * r) >> 16) / 100;
	}

	/**
	 * Returns the table delay for a try, before jitter.
	 * @param policy the retry policy, or {@code null}
	 * @param tryIndex how many retries were already made
	 * @return the base delay in milliseconds
	 */
	public static long baseDelay(@Nullable RetryPolicy policy, int tryIndex) {
		List<Integer> table = (policy != null) ? policy.backoffMs() : List.of();
		if (table.isEmpty()) {
			return RetryPolicy.DEFAULT_BACKOFF_MS;
		}
		return table.get(Math.min(Math.max(tryIndex, 0), table.size() - 1));
	}

	/**
	 * Returns whether a failure after {@code failures} failed attempts is still concealed, that
	 * is, another retry follows. No policy means no retries.
	 * @param policy the retry policy, or {@code null}
	 * @param failures failed attempts so far, including this one
	 * @return {@code true} to retry, {@code false} when all retries failed
	 */
	public static boolean concealed(@Nullable RetryPolicy policy, int failures) {
		if (policy == null) {
			return false;
		}
		return policy.conceal() == RetryPolicy.CONCEAL_FOREVER || failures <= policy.conceal();
	}

}
