package io.securestreams.policy;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A named retry and backoff scheme from the policy's {@code retry} section.
 *
 * @param name the name streamtypes use to refer to it
 * @param backoffMs delays in milliseconds for each retry in turn; the last one repeats
 * @param conceal how many failed attempts are hidden before {@code ALL_RETRIES_FAILED};
 * {@value #CONCEAL_FOREVER} means retry forever
 * @param jitterPercent random extra added to each delay, in percent of it; {@code null} when the
 * policy did not say (the C default of {@value #DEFAULT_JITTER_PERCENT} then applies)
 * @param validPingSeconds idle seconds before a protocol-level validity ping (0 = none)
 * @param validHangupSeconds idle seconds before the connection is closed as dead (0 = never)
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record RetryPolicy(String name, List<Integer> backoffMs, int conceal, @Nullable Integer jitterPercent,
		int validPingSeconds, int validHangupSeconds) {

	/** The {@code conceal} value that means "never stop trying". */
	public static final int CONCEAL_FOREVER = 65535;

	/** Jitter used when {@code jitterpc} is absent, as in the C implementation. */
	public static final int DEFAULT_JITTER_PERCENT = 30;

	/** Base delay used when a scheme has an empty backoff table, as in the C implementation. */
	public static final int DEFAULT_BACKOFF_MS = 3000;

	/**
	 * Copies the backoff table, unmodifiable, and checks every value's range: delays
	 * 0..{@link Integer#MAX_VALUE} ms, {@code conceal} 0..{@link #CONCEAL_FOREVER}, the jitter 0..100 percent
	 * when given, and the validity times 0..65535 s.
	 * @param name the name streamtypes use to refer to it
	 * @param backoffMs delays in milliseconds for each retry in turn; the last one repeats
	 * @param conceal how many failed attempts are hidden before {@code ALL_RETRIES_FAILED};
	 * {@value #CONCEAL_FOREVER} means retry forever
	 * @param jitterPercent random extra added to each delay, in percent of it; {@code null} when the
	 * policy did not say (the C default of {@value #DEFAULT_JITTER_PERCENT} then applies)
	 * @param validPingSeconds idle seconds before a protocol-level validity ping (0 = none)
	 * @param validHangupSeconds idle seconds before the connection is closed as dead (0 = never)
	 * @throws IllegalArgumentException when a value is out of its range
	 */
	public RetryPolicy {
		backoffMs = List.copyOf(backoffMs);
		for (int delay : backoffMs) {
			StreamTypeValues.integral(delay, 0, Integer.MAX_VALUE);
		}
		StreamTypeValues.integral(conceal, 0, CONCEAL_FOREVER);
		if (jitterPercent != null) {
			StreamTypeValues.integral(jitterPercent, 0, 100);
		}
		StreamTypeValues.integral(validPingSeconds, 0, 65535);
		StreamTypeValues.integral(validHangupSeconds, 0, 65535);
	}

	/**
	 * Returns the jitter percentage that applies.
	 * @return {@link #jitterPercent()} or {@value #DEFAULT_JITTER_PERCENT} when absent
	 */
	public int effectiveJitterPercent() {
		return (this.jitterPercent != null) ? this.jitterPercent : DEFAULT_JITTER_PERCENT;
	}

}
