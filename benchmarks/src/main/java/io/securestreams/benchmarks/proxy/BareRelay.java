package io.securestreams.benchmarks.proxy;

import java.net.SocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * A relay that does nothing but move bytes: each accepted connection gets a TCP connection to the
 * server on the same event loop, and buffers read on one side are written unchanged to the other
 * (no copy), flushed once per read burst, with reads paused while the other side is not writable.
 * The least any proxy must do; {@link ProxyHopFloor} measures what it costs.
 *
 * @author Secure Streams contributors
 */
@ChannelHandler.Sharable
final class BareRelay extends ChannelInboundHandlerAdapter {

	private final SocketAddress server;

	BareRelay(SocketAddress server) {
		this.server = server;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		Channel accepted = ctx.channel();
		new Bootstrap().group(accepted.eventLoop())
			.channel(EpollSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new Forwarder(accepted))
			.connect(this.server)
			.addListener((ChannelFutureListener) (connected) -> {
				if (!connected.isSuccess()) {
					accepted.close();
					return;
				}
				accepted.pipeline().replace(this, "forward", new Forwarder(connected.channel()));
				accepted.config().setAutoRead(true);
			});
	}

	/** Writes what one side reads to the other side. */
	private static final class Forwarder extends ChannelInboundHandlerAdapter {

		private final Channel to;

		Forwarder(Channel to) {
			this.to = to;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			this.to.write(msg);
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			this.to.flush();
			if (!this.to.isWritable()) {
				// Resumed by the other side's forwarder when its channel drains.
				ctx.channel().config().setAutoRead(false);
			}
		}

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) {
			// This side drained: the other side may read again.
			if (ctx.channel().isWritable()) {
				this.to.config().setAutoRead(true);
			}
			ctx.fireChannelWritabilityChanged();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			this.to.close();
		}

	}

}
