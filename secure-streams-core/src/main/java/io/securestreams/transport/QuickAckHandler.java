package io.securestreams.transport;

import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Acknowledges received TCP segments at once, instead of by the kernel's delayed ACK, when the
 * read is not answered; on Linux (the native epoll transport) only, a no-op elsewhere. A peer
 * that leaves Nagle's algorithm on, as mosquitto does by default, holds its second small reply
 * until the first is acknowledged, so a delayed ACK turns a request-reply exchange of a few
 * microseconds into tens of milliseconds.
 * <p>
 * A read that is answered needs no quick ACK: the answer carries the acknowledgement. A quick
 * ACK then only adds a bare ACK segment before it, and makes a Nagle peer release its replies in
 * more, smaller segments: a stream of QoS 1 publishes read three to four times as many segments
 * of PUBACKs with a quick ACK after every read. So the decision waits until the tasks the read
 * started (the next publish of a stream told of its PUBACK, for example) have run in the same
 * event-loop turn (and the tasks those queued): if none of them wrote, quick-ack mode is switched
 * on. The kernel clears the mode by itself, so it is decided again after every read. One instance
 * per channel; add it before the handlers that write, so that it sees every write. Accepted server
 * connections put it in front of their TLS handler, where it sees the socket's own reads and
 * writes (a partial TLS record of an upload is a read nothing can answer yet).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class QuickAckHandler extends ChannelDuplexHandler {

	private final Consumer<Channel> quickAck;

	// Whether a message was read since the last decision.
	private boolean read;

	// Whether something was written since the first read after the last decision.
	private boolean answered;

	private boolean decisionScheduled;

	/**
	 * Creates the handler of one channel.
	 */
	public QuickAckHandler() {
		this(QuickAckHandler::switchOn);
	}

	QuickAckHandler(Consumer<Channel> quickAck) {
		this.quickAck = quickAck;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (!this.read) {
			this.read = true;
			// Written before this read: that segment left without acknowledging what arrives now.
			this.answered = false;
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (this.read && !this.decisionScheduled) {
			this.decisionScheduled = true;
			// Runs after the tasks this read queued, which may write the answer.
			ctx.executor().execute(() -> decide(ctx, true));
		}
		ctx.fireChannelReadComplete();
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		// Netty's TLS handler writes an empty buffer on every flush that has nothing to send
		// (the h2 codec flushes after each read): that is no answer.
		if (!(msg instanceof ByteBuf data) || data.isReadable()) {
			this.answered = true;
		}
		ctx.write(msg, promise);
	}

	private void decide(ChannelHandlerContext ctx, boolean firstLook) {
		if (firstLook && !this.answered) {
			// The answer may still be on its way: a task of this turn may have queued the flush
			// that writes it (the h2 server flushes the responses of a read once, after the tasks
			// already queued; a TLS handler passes nothing on before that flush). Look once more
			// after it.
			ctx.executor().execute(() -> decide(ctx, false));
			return;
		}
		this.decisionScheduled = false;
		this.read = false;
		if (!this.answered && ctx.channel().isActive()) {
			this.quickAck.accept(ctx.channel());
		}
	}

	private static void switchOn(Channel channel) {
		if (channel instanceof EpollSocketChannel epoll) {
			epoll.config().setTcpQuickAck(true);
		}
	}

}
