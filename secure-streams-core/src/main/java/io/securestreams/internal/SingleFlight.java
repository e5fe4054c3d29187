package io.securestreams.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * At most one asynchronous operation at a time: a caller who asks while one runs gets the same
 * future; the first call after it completed (or was released) starts the next. The system
 * streams (policy fetch, access token fetch) use it so that concurrent requests never open two
 * streams for one job.
 *
 * @param <T> the operation's result
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SingleFlight<T> {

	private final Object lock = new Object();

	private @Nullable CompletableFuture<T> inFlight;

	/**
	 * Returns the operation in flight, or starts one.
	 * @param start starts the operation and returns its future; runs under this object's lock, so
	 * it must start the work, not wait for it
	 * @param completed told the result (or {@code null} when the operation failed) once the
	 * operation completes, before a later call can start another; also under the lock
	 * @return the operation's future
	 */
	public CompletableFuture<T> join(Supplier<CompletableFuture<T>> start, Consumer<@Nullable T> completed) {
		synchronized (this.lock) {
			CompletableFuture<T> current = this.inFlight;
			if (current != null) {
				return current;
			}
			CompletableFuture<T> started = start.get();
			this.inFlight = started;
			// An operation that ended at once clears itself here, before this method returns.
			started.whenComplete((result, error) -> {
				synchronized (this.lock) {
					if (this.inFlight == started) {
						this.inFlight = null;
						completed.accept(result);
					}
				}
			});
			return started;
		}
	}

	/**
	 * Lets the next call start a new operation although {@code operation} has not completed yet
	 * (its result is decided and it only finishes up); {@code completed} is not told of it.
	 * @param operation the operation in flight; nothing happens when another one is
	 */
	public void release(CompletableFuture<T> operation) {
		synchronized (this.lock) {
			if (this.inFlight == operation) {
				this.inFlight = null;
			}
		}
	}

}
