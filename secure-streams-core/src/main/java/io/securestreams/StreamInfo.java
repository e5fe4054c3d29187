package io.securestreams;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one stream, for monitoring.
 *
 * @param id the stream id
 * @param streamType the streamtype
 * @param role the role
 * @param state the last reported state name, {@code null} before CREATING
 * @param stateSince when that state was reported
 * @param retries failed attempts since the last successful connection
 * @param bytesIn payload bytes received
 * @param bytesOut payload bytes sent
 * @param peer the connected peer address, or {@code null}
 * @param listenerId for an accepted stream, the id of its listener, else 0
 * @param httpStatus the status of the last final http response head the stream received (a
 * redirect that was not followed counts), 0 when none; not known to proxied clients
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record StreamInfo(long id, String streamType, StreamRole role, @Nullable String state, Instant stateSince,
		int retries, long bytesIn, long bytesOut, @Nullable String peer, long listenerId, int httpStatus) {
}
