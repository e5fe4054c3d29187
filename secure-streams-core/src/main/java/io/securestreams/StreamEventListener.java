package io.securestreams;

import org.jspecify.annotations.Nullable;

/**
 * Observes every stream of a context, for monitoring and metrics. Called on the stream's event
 * loop (CREATING on the creating thread); implementations must be quick and must not throw.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface StreamEventListener {

	/**
	 * A state was reported to a stream's handler.
	 * @param stream the stream
	 * @param previous the previous state, {@code null} for the first
	 * @param state the new state
	 */
	default void stateChanged(SecureStream stream, @Nullable StreamState previous, StreamState state) {
	}

	/**
	 * The runtime was about to report a state that the transition table does not allow. The
	 * stream is destroyed, as libwebsockets does.
	 * @param stream the stream
	 * @param previous the previous checked state
	 * @param state the rejected state
	 */
	default void illegalTransition(SecureStream stream, @Nullable StreamState previous, StreamState state) {
	}

	/**
	 * A connection attempt failed and a retry was scheduled.
	 * @param stream the stream
	 * @param delayMillis the backoff delay
	 */
	default void retryScheduled(SecureStream stream, long delayMillis) {
	}

	/**
	 * A transaction ended with QOS_ACK_REMOTE or QOS_NACK_REMOTE.
	 * @param stream the stream
	 * @param result the final state
	 * @param nanos time from the start of the transaction
	 */
	default void transactionCompleted(SecureStream stream, StreamState result, long nanos) {
	}

	/**
	 * The stream was destroyed and left the context.
	 * @param stream the stream
	 */
	default void destroyed(SecureStream stream) {
	}

}
