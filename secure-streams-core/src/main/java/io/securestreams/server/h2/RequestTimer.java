package io.securestreams.server.h2;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * Times the arrival of one h2 request: each frame counts as activity, the end of the request
 * cancels it, and it fires when the request has stopped arriving for the timeout. One scheduled
 * task at a time, which on expiry looks at the last activity and waits again for the rest
 * (as Netty's idle-state handler does), so a large upload does not schedule a task per frame.
 * Used on the stream's event loop only.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestTimer {

	private final long timeoutNanos;

	private final Runnable expired;

	private long lastActivity;

	private @Nullable ScheduledFuture<?> timer;

	RequestTimer(long timeoutMillis, Runnable expired) {
		this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		this.expired = expired;
	}

	long timeoutMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos);
	}

	/**
	 * Records activity, starting the timer when it is not running.
	 * @param loop the stream's event loop
	 */
	void activity(EventExecutor loop) {
		this.lastActivity = System.nanoTime();
		if (this.timer == null) {
			schedule(loop, this.timeoutNanos);
		}
	}

	private void schedule(EventExecutor loop, long delayNanos) {
		this.timer = loop.schedule(() -> {
			this.timer = null;
			long quiet = System.nanoTime() - this.lastActivity;
			if (quiet >= this.timeoutNanos) {
				this.expired.run();
			}
			else {
				schedule(loop, this.timeoutNanos - quiet);
			}
		}, delayNanos, TimeUnit.NANOSECONDS);
	}

	void cancel() {
		ScheduledFuture<?> pending = this.timer;
		if (pending != null) {
			pending.cancel(false);
			this.timer = null;
		}
	}

}
