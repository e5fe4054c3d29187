package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * Socket priority and IP type-of-service hints of a streamtype (the {@code attr_*} keys).
 *
 * @param priority socket priority 0..7, or {@code null} to leave it alone ({@code attr_priority})
 * @param lowLatency ToS low delay ({@code attr_low_latency})
 * @param highThroughput ToS throughput ({@code attr_high_throughput})
 * @param highReliability ToS reliability ({@code attr_high_reliability})
 * @param lowCost ToS low cost ({@code attr_low_cost})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record SocketAttributes(@Nullable Integer priority, boolean lowLatency, boolean highThroughput,
		boolean highReliability, boolean lowCost) {

	/**
	 * Returns the IP type-of-service byte these hints ask for.
	 * @return the ToS value, 0 when no hint is set
	 */
	public int typeOfService() {
		int tos = 0;
		tos |= this.lowLatency ? 0x10 : 0;
		tos |= this.highThroughput ? 0x08 : 0;
		tos |= this.highReliability ? 0x04 : 0;
		tos |= this.lowCost ? 0x02 : 0;
		return tos;
	}

}
