package io.securestreams.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Turns the flushes of one event-loop turn into one: a flush asks for a task that flushes after
 * the tasks already queued, so what a read and the tasks it started write leaves in one segment.
 * <p>
 * Netty's {@code FlushConsolidationHandler} flushes at the end of a read, before the tasks that
 * the read queued have run. A stream told of a message in {@code onRx} asks for its next
 * transmission with {@code requestTx()}, which runs as such a task (no callback is ever called
 * from inside another), so the acknowledgement the read owes and the reply the stream writes left
 * as two segments, and the peer woke up twice for them. Here the acknowledgement's flush is queued
 * behind the stream's task, and both go in one write.
 * <p>
 * At most {@code maxPendingFlushes} flushes wait for the task: a writer that loops in one task
 * flushes every so often. A channel that turns unwritable, an exception, a disconnect, a close or
 * the handler's removal flush at once, as with Netty's handler. One instance per channel.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class TurnEndFlushHandler extends ChannelDuplexHandler {

	private final int maxPendingFlushes;

	private int pendingFlushes;

	private boolean taskQueued;

	private ChannelHandlerContext context;

	private final Runnable flushTask = () -> {
		this.taskQueued = false;
		flushNow();
	};

	/**
	 * Creates the handler of one channel.
	 * @param maxPendingFlushes how many flushes may wait for the end of the turn before one is
	 * passed on at once (at least 1)
	 */
	public TurnEndFlushHandler(int maxPendingFlushes) {
		if (maxPendingFlushes < 1) {
			throw new IllegalArgumentException("maxPendingFlushes must be at least 1");
		}
		this.maxPendingFlushes = maxPendingFlushes;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.context = ctx;
	}

	@Override
	public void flush(ChannelHandlerContext ctx) {
		if (++this.pendingFlushes >= this.maxPendingFlushes) {
			flushNow();
			return;
		}
		if (!this.taskQueued) {
			this.taskQueued = true;
			ctx.executor().execute(this.flushTask);
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (!ctx.channel().isWritable()) {
			// What waits unflushed counts against the high-water mark: send it rather than stall.
			flushNow();
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		flushNow();
		ctx.fireExceptionCaught(cause);
	}

	@Override
	public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
		flushNow();
		ctx.disconnect(promise);
	}

	@Override
	public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
		flushNow();
		ctx.close(promise);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		flushNow();
	}

	private void flushNow() {
		if (this.pendingFlushes > 0) {
			this.pendingFlushes = 0;
			this.context.flush();
		}
	}

}
