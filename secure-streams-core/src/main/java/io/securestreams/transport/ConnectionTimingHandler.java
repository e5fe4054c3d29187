package io.securestreams.transport;

import java.net.SocketAddress;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Sits closest to the socket of a connection whose streamtype asked for {@code perf} and tells
 * its {@link ConnectionTimings} when the socket connect starts (the name lookup, if any, is done
 * by then) and when the socket is connected; then leaves the pipeline. Each address tried has its
 * own channel and handler.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ConnectionTimingHandler extends ChannelDuplexHandler {

	private final ConnectionTimings timings;

	ConnectionTimingHandler(ConnectionTimings timings) {
		this.timings = timings;
	}

	@Override
	public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
			ChannelPromise promise) {
		this.timings.socketConnecting(remoteAddress);
		ctx.connect(remoteAddress, localAddress, promise);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		this.timings.socketConnected();
		ctx.fireChannelActive();
		ctx.pipeline().remove(this);
	}

}
