package io.securestreams;

/**
 * Thrown when a stream cannot be created or an operation is not possible, with a message that
 * says why.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamsException extends RuntimeException {

	/**
	 * Creates an exception.
	 * @param message what went wrong
	 */
	public SecureStreamsException(String message) {
		super(message);
	}

	/**
	 * Creates an exception with a cause.
	 * @param message what went wrong
	 * @param cause the cause
	 */
	public SecureStreamsException(String message, Throwable cause) {
		super(message, cause);
	}

}
