package io.securestreams.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Acknowledges received TCP segments at once instead of by the kernel's delayed ACK, on Linux
 * (the native epoll transport); a no-op elsewhere. A peer that leaves Nagle's algorithm on, as
 * mosquitto does by default, holds its second small reply until the first is acknowledged, so a
 * delayed ACK turns a request-reply exchange of a few microseconds into tens of milliseconds.
 * The kernel clears the quick-ack mode by itself, so it is set again after every read.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@ChannelHandler.Sharable
public final class QuickAckHandler extends ChannelInboundHandlerAdapter {

	/** The shared instance. */
	public static final QuickAckHandler INSTANCE = new QuickAckHandler();

	private QuickAckHandler() {
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (ctx.channel() instanceof EpollSocketChannel epoll && epoll.isActive()) {
			epoll.config().setTcpQuickAck(true);
		}
		ctx.fireChannelReadComplete();
	}

}
