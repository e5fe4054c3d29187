package io.securestreams.benchmarks.h1;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The floor for any Netty-based client: a hand-written pipeline of the JDK TLS handler and
 * Netty's http codec, one kept-alive connection per flow, the next GET written from the handler
 * that read the end of the previous response. No pooling, no retries, no states, no metadata:
 * what is left when a client does nothing but the transactions. The harness runs it to show how
 * much room there is above each real client on this machine. It speaks http/1.1 only, so the
 * harness leaves it out with {@code --protocol h2}.
 */
final class PlainNettyClient implements HttpClientUnderTest {

	private final EventLoopGroup group;

	private final SslContext ssl;

	private final String host;

	private final int port;

	private final boolean epoll;

	PlainNettyClient(String host, int port, Path caPem, int threads) throws Exception {
		this.host = host;
		this.port = port;
		this.epoll = Epoll.isAvailable();
		this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-plain", true),
				this.epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
		this.ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(caPem.toFile())
			.endpointIdentificationAlgorithm("HTTPS").build();
	}

	@Override
	public String name() {
		return "plain-netty";
	}

	@Override
	public long get(String path, int transactions, int concurrency) throws Exception {
		AtomicInteger remaining = new AtomicInteger(transactions);
		AtomicLong bytes = new AtomicLong();
		AtomicInteger open = new AtomicInteger(concurrency);
		CompletableFuture<Void> done = new CompletableFuture<>();
		for (int i = 0; i < concurrency; i++) {
			Flow flow = new Flow(path, remaining, bytes, () -> {
				if (open.decrementAndGet() == 0) {
					done.complete(null);
				}
			}, done);
			connect(flow);
		}
		done.get(10, TimeUnit.MINUTES);
		return bytes.get();
	}

	@Override
	public void getOnNewConnections(String path, int transactions) throws Exception {
		for (int i = 0; i < transactions; i++) {
			CompletableFuture<Void> done = new CompletableFuture<>();
			connect(new Flow(path, new AtomicInteger(1), new AtomicLong(), () -> done.complete(null), done));
			done.get(1, TimeUnit.MINUTES);
		}
	}

	private void connect(Flow flow) {
		new Bootstrap().group(this.group)
			.channel(this.epoll ? EpollSocketChannel.class : NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline().addLast(PlainNettyClient.this.ssl.newHandler(ch.alloc(), PlainNettyClient.this.host,
							PlainNettyClient.this.port), new HttpClientCodec(), flow);
				}
			})
			.connect(this.host, this.port)
			.addListener((f) -> {
				if (!f.isSuccess()) {
					flow.failed.completeExceptionally(f.cause());
				}
			});
	}

	@Override
	public void close() throws Exception {
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
	}

	/** One connection doing GETs back to back while the shared count lasts. */
	private final class Flow extends SimpleChannelInboundHandler<HttpObject> {

		private final String path;

		private final AtomicInteger remaining;

		private final AtomicLong bytes;

		private final Runnable finished;

		private final CompletableFuture<Void> failed;

		Flow(String path, AtomicInteger remaining, AtomicLong bytes, Runnable finished, CompletableFuture<Void> failed) {
			this.path = path;
			this.remaining = remaining;
			this.bytes = bytes;
			this.finished = finished;
			this.failed = failed;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			next(ctx.channel());
		}

		private void next(Channel channel) {
			if (this.remaining.getAndDecrement() <= 0) {
				channel.close();
				this.finished.run();
				return;
			}
			FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, this.path);
			request.headers().set(HttpHeaderNames.HOST, PlainNettyClient.this.host);
			channel.writeAndFlush(request);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
			if (msg instanceof HttpResponse response && response.status().code() != 200) {
				this.failed.completeExceptionally(new IllegalStateException("status " + response.status()));
			}
			if (msg instanceof HttpContent content) {
				this.bytes.addAndGet(content.content().readableBytes());
				if (msg instanceof LastHttpContent) {
					next(ctx.channel());
				}
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			this.failed.completeExceptionally(cause);
			ctx.close();
		}

	}

}
