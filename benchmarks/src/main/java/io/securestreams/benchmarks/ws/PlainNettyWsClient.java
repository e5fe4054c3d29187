package io.securestreams.benchmarks.ws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The floor for any Netty-based ws client: a hand-written pipeline of Netty's http codec, an
 * aggregator for the upgrade response and {@code WebSocketClientProtocolHandler} (masking, as
 * clients must), one connection per flow. Each message is one BINARY frame whose buffer is
 * allocated from the channel's allocator and filled from the application's byte array (the one
 * copy the other clients make too); echoed frames are counted as they arrive, and the next
 * message is written from the handler that read the final fragment of the echo.
 */
final class PlainNettyWsClient implements WsClientUnderTest {

	private final EventLoopGroup group;

	private final boolean epoll;

	PlainNettyWsClient(int threads) {
		this.epoll = Epoll.isAvailable();
		this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-plain-client", true),
				this.epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
	}

	@Override
	public String name() {
		return "plain-netty";
	}

	@Override
	public long echo(WsServerUnderTest server, int connections, int messages, int size) throws Exception {
		byte[] payload = WsEchoComparison.payload(size);
		WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
			.webSocketUri(URI.create("ws://127.0.0.1:" + server.port() + WsServerUnderTest.PATH))
			.subprotocol(WsServerUnderTest.SUBPROTOCOL)
			.maxFramePayloadLength(WsServerUnderTest.MAX_FRAME)
			.build();
		List<Echo> echoes = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				Echo echo = new Echo(payload, messages);
				echoes.add(echo);
				connect(server, config, echo);
			}
			for (Echo echo : echoes) {
				await(echo.connected, 30, TimeUnit.SECONDS, "ws handshake with " + server.name());
			}
			long start = System.nanoTime();
			for (Echo echo : echoes) {
				echo.send(echo.channel);
			}
			for (Echo echo : echoes) {
				await(echo.done, 10, TimeUnit.MINUTES,
						messages + " echoes of " + size + " bytes from " + server.name());
			}
			return System.nanoTime() - start;
		}
		finally {
			for (Echo echo : echoes) {
				Channel channel = echo.channel;
				if (channel != null && channel.isActive()) {
					channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
						.addListener(ChannelFutureListener.CLOSE);
				}
			}
			for (Echo echo : echoes) {
				if (echo.channel != null) {
					echo.channel.closeFuture().await(10, TimeUnit.SECONDS);
				}
			}
		}
	}

	private void connect(WsServerUnderTest server, WebSocketClientProtocolConfig config, Echo echo) {
		echo.channel = new Bootstrap().group(this.group)
			.channel(this.epoll ? EpollSocketChannel.class : NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
							new WebSocketClientProtocolHandler(config), echo);
				}
			})
			.connect("127.0.0.1", server.port())
			.addListener((f) -> {
				if (!f.isSuccess()) {
					echo.fail(f.cause());
				}
			})
			.channel();
	}

	private static void await(CompletableFuture<Void> future, long timeout, TimeUnit unit, String what)
			throws Exception {
		try {
			future.get(timeout, unit);
		}
		catch (TimeoutException ex) {
			throw new TimeoutException("plain-netty ws client: no " + what + " within " + timeout + " " + unit);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("plain-netty ws client: " + what + " failed", ex.getCause());
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
	}

	/** One connection's exchange; after the handshake, touched only on its event loop. */
	private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {

		final CompletableFuture<Void> connected = new CompletableFuture<>();

		final CompletableFuture<Void> done = new CompletableFuture<>();

		private final byte[] payload;

		private final int messages;

		volatile Channel channel;

		private int echoed;

		private long bytes;

		Echo(byte[] payload, int messages) {
			this.payload = payload;
			this.messages = messages;
		}

		void send(Channel ch) {
			ch.writeAndFlush(new BinaryWebSocketFrame(ch.alloc().buffer(this.payload.length).writeBytes(this.payload)));
		}

		void fail(Throwable cause) {
			this.connected.completeExceptionally(cause);
			this.done.completeExceptionally(cause);
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
			if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
				this.connected.complete(null);
			}
			else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
				fail(new TimeoutException("ws handshake timed out"));
			}
			ctx.fireUserEventTriggered(event);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
			this.bytes += frame.content().readableBytes();
			if (!frame.isFinalFragment()) {
				return;
			}
			this.echoed++;
			if (this.bytes != (long) this.echoed * this.payload.length) {
				fail(new IllegalStateException("echoed " + this.bytes + " bytes for " + this.echoed + " messages"));
			}
			else if (this.echoed == this.messages) {
				this.done.complete(null);
			}
			else {
				send(ctx.channel());
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			fail(new IllegalStateException("connection closed after " + this.echoed + " of " + this.messages
					+ " echoes"));
			ctx.fireChannelInactive();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			fail(cause);
			ctx.close();
		}

	}

}
