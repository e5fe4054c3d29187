package io.securestreams.proxy.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.proxy.ProxyConnectionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.wire.SsFrameDecoder;
import io.securestreams.proxy.wire.SsFrameEncoder;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.WireException;
import io.securestreams.transport.AddressAttempts;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.EndpointResolver;
import io.securestreams.transport.TransportResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a proxied stream to its proxy: opens the socket on the stream's event loop
 * and passes the link's events to the stream. A later link of the same stream is a new instance,
 * so events of an old one are told apart.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ClientLink extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(ClientLink.class);

	private static final SocketAttributes NO_SOCKET_HINTS = new SocketAttributes(null, false, false, false, false);

	private final ProxiedStream stream;

	private final Channel channel;

	/** Through a SOCKS5 proxy the socket is active before the proxy has connected it onwards. */
	private final boolean viaSocks5;

	private ClientLink(ProxiedStream stream, Channel channel, boolean viaSocks5) {
		this.stream = stream;
		this.channel = channel;
		this.viaSocks5 = viaSocks5;
	}

	/**
	 * Connects to the proxy.
	 * @param stream the stream the link serves
	 * @param streams the factory, for the address and timeouts
	 * @param loop the stream's event loop
	 * @return the connect future, which tries every address of a proxy named by host name in turn
	 */
	static Future<Channel> connect(ProxiedStream stream, ProxiedStreams streams, EventLoop loop) {
		InetSocketAddress socks5 = streams.socks5();
		if (socks5 != null) {
			// As a stream's via-socks5: the SOCKS5 proxy looks the proxy's host name up.
			ProxyAddress proxy = streams.address();
			ConnectTarget target = new ConnectTarget(EndpointResolver.socksAddress(proxy.toString()), proxy.name(),
					proxy.port(), false, "/", socks5);
			return streams.runtime().connector().connect(loop, target, null, NO_SOCKET_HINTS,
					(pipeline) -> addHandlers(pipeline, stream, true));
		}
		TransportResources transport = streams.runtime().transport();
		SocketAddress address = streams.address().toSocketAddress(transport);
		Bootstrap bootstrap = new Bootstrap().group(loop)
			.channel(transport.clientChannel(address))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) streams.connectTimeout().toMillis())
			.handler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel ch) {
					transport.track(ch);
					addHandlers(ch.pipeline(), stream, false);
				}
			});
		return AddressAttempts.connect(bootstrap, address, transport.resolverGroup());
	}

	private static void addHandlers(ChannelPipeline pipeline, ProxiedStream stream, boolean viaSocks5) {
		pipeline.addLast("ss-decoder", new SsFrameDecoder(false))
			.addLast("ss-encoder", SsFrameEncoder.INSTANCE)
			.addLast("ss-link", new ClientLink(stream, pipeline.channel(), viaSocks5));
	}

	Channel channel() {
		return this.channel;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		if (!this.viaSocks5) {
			this.stream.linkUp(this);
		}
		ctx.fireChannelActive();
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
		if (event instanceof ProxyConnectionEvent) {
			this.stream.linkUp(this);
		}
		ctx.fireUserEventTriggered(event);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (msg instanceof SsMessage message && ctx.channel().isActive()) {
				this.stream.received(this, message);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			this.stream.writable(this);
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof WireException) {
			this.stream.hangUp(this, cause.getMessage());
		}
		else {
			if (cause instanceof IOException) {
				logger.debug("proxy link of stream {} failed: {}", this.stream.id(), cause.toString());
			}
			else {
				logger.warn("proxy link of stream {} failed", this.stream.id(), cause);
			}
			ctx.close();
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		// The decoder, ahead in the pipeline, has seen the close already.
		SsFrameDecoder decoder = ctx.pipeline().get(SsFrameDecoder.class);
		this.stream.linkClosed(this, (decoder != null) ? decoder.unfinishedFrame() : null);
		ctx.fireChannelInactive();
	}

}
