package io.securestreams.policy;

/**
 * One {@code http_resp_map} entry: an HTTP status that is reported as a stream state.
 *
 * @param status the HTTP status code (100..599)
 * @param state the numeric stream state to report, usually a user state of 1000 or more
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record HttpResponseMapping(int status, int state) {
}
