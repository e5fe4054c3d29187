package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * An entry of the policy's {@code metrics} section.
 *
 * @param name the metrics policy name
 * @param usSchedule reporting period in microseconds
 * @param usHalflife half-life of the aggregation in microseconds
 * @param minOutlier the smallest value treated as an outlier
 * @param report the streamtype the report is sent on, if any
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record MetricsPolicy(String name, long usSchedule, long usHalflife, long minOutlier, @Nullable String report) {

	/**
	 * Checks that the durations and the outlier threshold are not negative, as the JSON reader does.
	 * @param name the metrics policy name
	 * @param usSchedule reporting period in microseconds
	 * @param usHalflife half-life of the aggregation in microseconds
	 * @param minOutlier the smallest value treated as an outlier
	 * @param report the streamtype the report is sent on, if any
	 * @throws IllegalArgumentException when one of them is negative
	 */
	public MetricsPolicy {
		// Durations and counts: the JSON reader rejects negative values, so the model does too.
		StreamTypeValues.integral(usSchedule, 0, Long.MAX_VALUE);
		StreamTypeValues.integral(usHalflife, 0, Long.MAX_VALUE);
		StreamTypeValues.integral(minOutlier, 0, Long.MAX_VALUE);
	}

}
