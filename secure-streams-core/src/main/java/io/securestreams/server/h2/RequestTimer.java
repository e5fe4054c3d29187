package io.securestreams.server.h2;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * Times the arrival of one h2 request: each frame re-arms it, the end of the request cancels it,
 * and it fires when the request has stopped arriving for the timeout. Used on the stream's event
 * loop only.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestTimer {

	private final long timeoutMillis;

	private final Runnable expired;

	private @Nullable ScheduledFuture<?> timer;

	RequestTimer(long timeoutMillis, Runnable expired) {
		this.timeoutMillis = timeoutMillis;
		this.expired = expired;
	}

	long timeoutMillis() {
		return this.timeoutMillis;
	}

	void arm(EventExecutor loop) {
		cancel();
		this.timer = loop.schedule(() -> {
			this.timer = null;
			this.expired.run();
		}, this.timeoutMillis, TimeUnit.MILLISECONDS);
	}

	void cancel() {
		ScheduledFuture<?> pending = this.timer;
		if (pending != null) {
			pending.cancel(false);
			this.timer = null;
		}
	}

}
