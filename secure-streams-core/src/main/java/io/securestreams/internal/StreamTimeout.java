package io.securestreams.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * The timer behind a stream's {@code startTimeout} and {@code cancelTimeout}: at most one timeout
 * is pending, and starting another replaces it. Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamTimeout {

	private final EventLoop loop;

	private final Runnable fired;

	private @Nullable ScheduledFuture<?> pending;

	/**
	 * Creates a timer that is not running.
	 * @param loop the stream's event loop
	 * @param fired what to do when a timeout expires; the timer is idle again by then
	 */
	StreamTimeout(EventLoop loop, Runnable fired) {
		this.loop = loop;
		this.fired = fired;
	}

	/**
	 * Cancels the pending timeout and starts a new one.
	 * @param delayMillis when the new one expires; none is started when not positive
	 */
	void start(long delayMillis) {
		cancel();
		if (delayMillis > 0) {
			this.pending = this.loop.schedule(this::expired, delayMillis, TimeUnit.MILLISECONDS);
		}
	}

	private void expired() {
		this.pending = null;
		this.fired.run();
	}

	/**
	 * Cancels the pending timeout, if any.
	 */
	void cancel() {
		if (this.pending != null) {
			this.pending.cancel(false);
			this.pending = null;
		}
	}

}
