package io.securestreams.boot.actuate.endpoint;

import java.io.IOException;

/**
 * Thrown while a request body to the policy endpoint is read, once it is longer than
 * {@link SecureStreamsPolicyEndpointBodyLimitFilter} accepts. Spring MVC wraps it in the
 * exception it raises for an unreadable body; {@link SecureStreamsPolicyEndpointErrorResolver}
 * finds it there and answers 413 with its message.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestBodyTooLargeException extends IOException {

	private static final long serialVersionUID = 1L;

	RequestBodyTooLargeException(String message) {
		super(message);
	}

}
