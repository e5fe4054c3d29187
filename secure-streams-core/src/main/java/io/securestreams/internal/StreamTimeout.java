package io.securestreams.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;

/**
 * The timer behind a stream's {@code startTimeout} and {@code cancelTimeout}: at most one timeout
 * is pending, and starting another replaces it; when one expires, the stream reports TIMEOUT
 * unless it was destroyed. Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamTimeout {

	private final AbstractStream stream;

	private final EventLoop loop;

	private @Nullable ScheduledFuture<?> pending;

	/**
	 * Creates a timer that is not running.
	 * @param stream the stream that reports TIMEOUT when a timeout expires
	 * @param loop the stream's event loop
	 */
	StreamTimeout(AbstractStream stream, EventLoop loop) {
		this.stream = stream;
		this.loop = loop;
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
		if (!this.stream.isDestroyed()) {
			this.stream.act(this.stream.emit(StreamState.TIMEOUT, 0));
		}
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
