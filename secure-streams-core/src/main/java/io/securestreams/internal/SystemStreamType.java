package io.securestreams.internal;

import java.time.Duration;
import java.util.Objects;

import io.securestreams.SecureStreams;

/**
 * The streamtype a system job (policy fetch, captive portal detection, access token fetch) runs
 * its stream of, in the context that defines it, and how long one run may take.
 *
 * @param streams the context whose policy defines the streamtype
 * @param name the streamtype's name
 * @param timeout the most one run may take; positive
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record SystemStreamType(SecureStreams streams, String name, Duration timeout) {

	/**
	 * Checks the values.
	 * @param streams the context
	 * @param name the streamtype's name
	 * @param timeout the most one run may take
	 */
	public SystemStreamType {
		Objects.requireNonNull(streams, "streams");
		Objects.requireNonNull(name, "streamType");
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive");
		}
	}

	/**
	 * Returns whether the running policy defines the streamtype.
	 * @return {@code true} when a run can be attempted
	 */
	public boolean isDefined() {
		return this.streams.policy().streamType(this.name) != null;
	}

}
