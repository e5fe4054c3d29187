package io.securestreams.server.h1;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sits in front of the http codec and times the arrival of each request, with one timeout for
 * both parts: the head must be complete within the timeout of {@link #arm arming} (when the
 * connection starts and after each response), and the body must not pause for longer than the
 * timeout until its end. A client that stops sending a body would otherwise hold its connection
 * and accepted stream for ever, as a slow head would (the h2 binding's request timer does the
 * same for h2 streams). On expiry the timer reports either a head that did not arrive, with
 * whether any of its bytes had (a slow client, or an idle kept-alive connection), or a stalled
 * body.
 * <p>
 * One scheduled task covers a whole request: when it fires during a body it looks at the last
 * activity and waits again for the rest (as Netty's idle-state handler does), so a large upload
 * does not schedule a task per chunk, and a request without a body costs no more than one
 * without a body timer.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestTimer extends ChannelInboundHandlerAdapter {

	/**
	 * Told when a request stops arriving.
	 */
	interface Expiry {

		/**
		 * The head of the next request was not complete in time.
		 * @param bytesSeen whether any bytes of it had arrived
		 */
		void headTimedOut(boolean bytesSeen);

		/**
		 * The body of the current request paused for longer than the timeout.
		 */
		void bodyStalled();

	}

	private final long timeoutNanos;

	private final Expiry expiry;

	private @Nullable ChannelHandlerContext ctx;

	private @Nullable ScheduledFuture<?> timer;

	private boolean bytesSeen;

	private boolean inBody;

	private long lastActivity;

	/**
	 * Creates the timer.
	 * @param timeoutMillis how long a head may take, and a body may pause
	 * @param expiry told when a request stops arriving
	 */
	RequestTimer(long timeoutMillis, Expiry expiry) {
		this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		this.expiry = expiry;
	}

	long timeoutMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos);
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
	}

	/**
	 * Starts timing the next request head.
	 * @param bytesHeld whether bytes of it have already arrived (with the previous request, and
	 * are held by the http decoder until the rest comes)
	 */
	void arm(boolean bytesHeld) {
		cancel();
		this.bytesSeen = bytesHeld;
		this.inBody = false;
		schedule(this.timeoutNanos);
	}

	/**
	 * Switches from the head, which has arrived, to the body: from now on the timer fires when
	 * the body pauses for the timeout, until {@link #cancel()} at its end.
	 */
	void headDecoded() {
		this.inBody = true;
		bodyActivity();
		if (this.timer == null) {
			schedule(this.timeoutNanos);
		}
	}

	/**
	 * Records that a piece of the body arrived.
	 */
	void bodyActivity() {
		this.lastActivity = System.nanoTime();
	}

	/**
	 * Stops timing (the request is complete, or the connection is being closed).
	 */
	void cancel() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

	private void schedule(long delayNanos) {
		ChannelHandlerContext context = this.ctx;
		if (context == null) {
			return;
		}
		this.timer = context.executor().schedule(this::fired, delayNanos, TimeUnit.NANOSECONDS);
	}

	private void fired() {
		this.timer = null;
		if (!this.inBody) {
			this.expiry.headTimedOut(this.bytesSeen);
			return;
		}
		long quiet = System.nanoTime() - this.lastActivity;
		if (quiet >= this.timeoutNanos) {
			this.expiry.bodyStalled();
		}
		else {
			schedule(this.timeoutNanos - quiet);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext context, Object msg) {
		if (msg instanceof ByteBuf data && data.isReadable()) {
			this.bytesSeen = true;
		}
		context.fireChannelRead(msg);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext context) {
		cancel();
	}

}
