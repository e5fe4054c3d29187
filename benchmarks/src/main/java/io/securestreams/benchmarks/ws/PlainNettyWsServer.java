package io.securestreams.benchmarks.ws;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The floor for any Netty-based ws server: a hand-written pipeline of Netty's http codec, an
 * aggregator for the upgrade request only, {@code WebSocketServerProtocolHandler} (no
 * compression) and a handler that writes every data frame it reads straight back (the same
 * frame, retained, so fragments keep their FIN flag, as Reactor Netty's echo does), flushing
 * once per read at {@code channelReadComplete}. Pings, pongs and close frames are left to
 * Netty's protocol handler.
 */
final class PlainNettyWsServer implements WsServerUnderTest {

	private final EventLoopGroup group;

	private final Channel listener;

	PlainNettyWsServer(int threads) throws InterruptedException {
		boolean epoll = Epoll.isAvailable();
		this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-plain-server", true),
				epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
		WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
			.websocketPath(PATH)
			.subprotocols(SUBPROTOCOL)
			.maxFramePayloadLength(MAX_FRAME)
			.allowExtensions(false)
			.build();
		this.listener = new ServerBootstrap().group(this.group)
			.channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
							new WebSocketServerProtocolHandler(config), new Echo());
				}
			})
			.bind("127.0.0.1", 0)
			.sync()
			.channel();
	}

	@Override
	public String name() {
		return "plain-netty";
	}

	@Override
	public int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	@Override
	public void close() throws InterruptedException {
		this.listener.close().sync();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
	}

	/** Echoes one upgraded connection: binary, text and continuation frames as they come. */
	private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
			ctx.write(frame.retain());
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			ctx.flush();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}

	}

}
