package io.securestreams.boot.actuate.endpoint;

import java.io.IOException;

/**
 * Thrown while a request body to the policy endpoint is read, once it is longer than
 * {@link SecureStreamsPolicyEndpoint#MAX_REQUEST_BODY_BYTES}. The web stack wraps it in the
 * exception it raises for an unreadable body; {@link SecureStreamsPolicyEndpointErrorResolver}
 * (servlet) and {@link SecureStreamsPolicyEndpointWebFilter} (reactive) find it there and answer
 * 413 with its message.
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
