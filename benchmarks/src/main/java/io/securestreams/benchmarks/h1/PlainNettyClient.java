package io.securestreams.benchmarks.h1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
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
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The floor for any Netty-based client: a hand-written pipeline of the JDK TLS handler and
 * Netty's http codec, one kept-alive connection per flow, the next GET written from the handler
 * that read the end of the previous response; the flows' connections are kept from call to call,
 * as Reactor Netty keeps its pool. No retries, no states, no metadata:
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

	/** The concurrent flows' connections, kept from one {@link #get} to the next. */
	private final List<Flow> flows = new ArrayList<>();

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
		Job job = new Job(path, remaining, bytes, () -> {
			if (open.decrementAndGet() == 0) {
				done.complete(null);
			}
		}, done, false);
		while (this.flows.size() < concurrency) {
			this.flows.add(new Flow());
		}
		for (int i = 0; i < concurrency; i++) {
			start(this.flows.get(i), job);
		}
		done.get(10, TimeUnit.MINUTES);
		return bytes.get();
	}

	@Override
	public void getOnNewConnections(String path, int transactions) throws Exception {
		for (int i = 0; i < transactions; i++) {
			CompletableFuture<Void> done = new CompletableFuture<>();
			start(new Flow(),
					new Job(path, new AtomicInteger(1), new AtomicLong(), () -> done.complete(null), done, true));
			done.get(1, TimeUnit.MINUTES);
		}
	}

	private void start(Flow flow, Job job) {
		flow.job = job;
		Channel channel = flow.channel;
		if (channel != null && channel.isActive()) {
			channel.eventLoop().execute(() -> flow.next(channel));
		}
		else {
			connect(flow);
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
					flow.job.failed().completeExceptionally(f.cause());
				}
			});
	}

	@Override
	public void close() throws Exception {
		for (Flow flow : this.flows) {
			if (flow.channel != null) {
				flow.channel.close();
			}
		}
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
	}

	/** One call's GETs, shared by the flows it uses. */
	private record Job(String path, AtomicInteger remaining, AtomicLong bytes, Runnable finished,
			CompletableFuture<Void> failed, boolean closeWhenDone) {
	}

	/**
	 * One connection doing GETs back to back while the current job's shared count lasts; kept
	 * from call to call, as Reactor Netty keeps its pool. Sharable only so that a flow whose
	 * connection was closed can reconnect: it is in one pipeline at a time.
	 */
	@ChannelHandler.Sharable
	private final class Flow extends SimpleChannelInboundHandler<HttpObject> {

		private volatile Job job;

		private volatile Channel channel;

		/** Whether the server's last response said it closes the connection. */
		private boolean closing;

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			this.channel = ctx.channel();
			this.closing = false;
			next(ctx.channel());
		}

		private void next(Channel channel) {
			Job current = this.job;
			if (current.remaining().getAndDecrement() <= 0) {
				if (current.closeWhenDone()) {
					channel.close();
				}
				current.finished().run();
				return;
			}
			if (this.closing) {
				// The server ends kept-alive connections after keepalive_requests: go on on a new one.
				current.remaining().incrementAndGet();
				channel.close();
				connect(this);
				return;
			}
			FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, current.path());
			request.headers().set(HttpHeaderNames.HOST, PlainNettyClient.this.host);
			channel.writeAndFlush(request);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
			if (msg instanceof HttpResponse response) {
				if (response.status().code() != 200) {
					this.job.failed().completeExceptionally(new IllegalStateException("status " + response.status()));
				}
				this.closing = !HttpUtil.isKeepAlive(response);
			}
			if (msg instanceof HttpContent content) {
				this.job.bytes().addAndGet(content.content().readableBytes());
				if (msg instanceof LastHttpContent) {
					next(ctx.channel());
				}
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			this.job.failed().completeExceptionally(cause);
			ctx.close();
		}

	}

}
