package io.securestreams.protocol.http;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.protocol.StreamLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long a request body may wait for a server that takes none of it: a server that stops
 * reading (or, on h2, never opens its flow-control window) leaves the channel unwritable with the
 * body unsent, and without this the stream would wait for as long as the connection lives, since
 * the response timeout ({@link ResponseWait}) starts only once the request is complete. A body
 * the application is slow to give is not timed: the channel stays writable then.
 * <p>
 * The watch runs while the channel is unwritable with the body open; any progress restarts it:
 * the channel turning writable again, or fewer bytes standing before it does (a server reading
 * slowly). After the context's {@code responseTimeout} without progress the channel (the h1
 * connection, or the h2 stream) is closed and the attempt fails as when the server closes it.
 * All calls come from the channel's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class BodyStallWatch {

	private static final Logger logger = LoggerFactory.getLogger(BodyStallWatch.class);

	private final StreamLink link;

	private final BooleanSupplier sending;

	private @Nullable ScheduledFuture<?> timer;

	private @Nullable Channel channel;

	// The channel's bytesBeforeWritable() when the watch last saw progress.
	private long standing;

	/**
	 * Creates the watch of one connection's request bodies.
	 * @param link the stream's link, for its limits and policy
	 * @param sending whether a body is still being sent
	 */
	BodyStallWatch(StreamLink link, BooleanSupplier sending) {
		this.link = link;
		this.sending = sending;
	}

	/**
	 * Tells the watch where the body stands after a round of writing.
	 * @param ch the channel the body goes to
	 * @param stalled whether the body is open and waits for the channel to become writable
	 */
	void update(Channel ch, boolean stalled) {
		if (!stalled) {
			cancel();
			return;
		}
		if (this.timer != null && this.channel == ch) {
			// Already watching since the channel stopped taking bytes.
			return;
		}
		cancel();
		this.channel = ch;
		this.standing = ch.bytesBeforeWritable();
		schedule(ch);
	}

	/** Stops watching: the body ended, was abandoned, or the channel took bytes again. */
	void cancel() {
		ScheduledFuture<?> pending = this.timer;
		this.timer = null;
		this.channel = null;
		if (pending != null) {
			pending.cancel(false);
		}
	}

	private void schedule(Channel ch) {
		this.timer = ch.eventLoop()
			.schedule(() -> fired(ch), this.link.limits().responseTimeout().toNanos(), TimeUnit.NANOSECONDS);
	}

	private void fired(Channel ch) {
		if (ch != this.channel) {
			return;
		}
		this.timer = null;
		if (!this.sending.getAsBoolean() || !ch.isActive() || ch.isWritable()) {
			this.channel = null;
			return;
		}
		long now = ch.bytesBeforeWritable();
		if (now < this.standing) {
			// The server reads, slowly: the watch starts again from here.
			this.standing = now;
			schedule(ch);
			return;
		}
		this.channel = null;
		logger.warn("{} took none of the request body for {} ms (streamtype '{}'); closing", ch.remoteAddress(),
				this.link.limits().responseTimeout().toMillis(), this.link.policy().name());
		ch.close();
	}

}
