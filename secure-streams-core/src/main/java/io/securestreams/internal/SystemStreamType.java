package io.securestreams.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
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
		// The run's stream timer takes it in milliseconds, and a proxied stream's TIMEOUT_UPDATE
		// carries at most this many; beyond it every run would fail instead.
		if (timeout.compareTo(MAX_TIMEOUT) > 0) {
			throw new IllegalArgumentException("timeout must be at most " + MAX_TIMEOUT.toMillis() + " ms, got "
					+ timeout);
		}
	}

	/** The longest timeout: the longest a proxied stream's timer can be set to. */
	private static final Duration MAX_TIMEOUT = Duration.ofMillis(0xFFFF_FFFEL);

	/** How long a job waits for its stream to leave the context. */
	private static final long DESTROY_WAIT_MILLIS = 5_000;

	/**
	 * Returns whether the running policy defines the streamtype.
	 * @return {@code true} when a run can be attempted
	 */
	public boolean isDefined() {
		return this.streams.policy().streamType(this.name) != null;
	}

	/**
	 * Refuses a call that waits for a job from one of the context's event loops (a callback):
	 * the job's stream may need that very loop, which would stall until the job timed out and
	 * then give a wrong result.
	 * @param call the waiting call, for the message
	 * @param instead the call that does not wait
	 * @throws IllegalStateException when called on one of the context's event loops
	 */
	public void refuseWaitOnEventLoop(String call, String instead) {
		if (ContextAccess.runtime(this.streams).transport().inEventLoop()) {
			throw new IllegalStateException(call + " waits for a stream and must not be called on an event loop "
					+ "(from a callback); use " + instead + " there");
		}
	}

	/**
	 * Completes with a job's result once its stream has left the context (so a caller who sees
	 * the result never sees the stream still listed), or after 5 seconds should the stream's
	 * destruction not come; off the event loops either way.
	 * @param <T> the result type
	 * @param stream the job's stream, whose destruction was asked for
	 * @param result the job's result
	 * @return the result, later
	 */
	public <T> CompletableFuture<T> afterDestroyed(SecureStream stream, T result) {
		return stream.whenDestroyed()
			.toCompletableFuture()
			.completeOnTimeout(null, DESTROY_WAIT_MILLIS, TimeUnit.MILLISECONDS)
			.thenApplyAsync((ignored) -> result);
	}

}
