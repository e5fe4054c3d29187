package io.securestreams.server.h1;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sits in front of the http codec and times the arrival of each request head: armed when the
 * connection starts and after each response, cancelled when a head has been decoded. When it
 * expires it reports whether any bytes of the next request had arrived (a slow client) or none
 * (an idle kept-alive connection).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HeadTimer extends ChannelInboundHandlerAdapter {

	private final long timeoutMillis;

	private final Consumer<Boolean> expired;

	private @Nullable ChannelHandlerContext ctx;

	private @Nullable ScheduledFuture<?> timer;

	private boolean bytesSeen;

	/**
	 * Creates the timer.
	 * @param timeoutMillis how long a head may take
	 * @param expired called with whether bytes of a head had arrived
	 */
	HeadTimer(long timeoutMillis, Consumer<Boolean> expired) {
		this.timeoutMillis = timeoutMillis;
		this.expired = expired;
	}

	long timeoutMillis() {
		return this.timeoutMillis;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
	}

	/**
	 * Starts timing the next request head.
	 */
	void arm() {
		cancel();
		ChannelHandlerContext context = this.ctx;
		if (context == null) {
			return;
		}
		this.bytesSeen = false;
		this.timer = context.executor().schedule(() -> {
			this.timer = null;
			this.expired.accept(this.bytesSeen);
		}, this.timeoutMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Stops timing (a head arrived, or the connection is being closed).
	 */
	void cancel() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
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
