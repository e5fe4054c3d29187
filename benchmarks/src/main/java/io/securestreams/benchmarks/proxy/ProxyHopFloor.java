package io.securestreams.benchmarks.proxy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.securestreams.benchmarks.support.Harness;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The floor under {@link ProxyComparison}: what one extra hop over a Unix socket costs when the
 * relay does nothing at all. A plain Netty client sends raw http/1.1 GETs and counts response
 * bytes, either straight to the server over TCP or through a relay that forwards bytes unchanged
 * (no framing, no streams, no copies) between a Unix socket and a TCP connection to the server,
 * all in one JVM as in {@code ProxyComparison}. No Secure Streams code runs; the ratio of the two
 * is the best any proxy of this shape can do on the machine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.securestreams.benchmarks.proxy.ProxyHopFloor \
 *     [--rounds 5] [--warmup 3] [--scale 1]
 * </pre>
 *
 * Linux only (epoll and Unix sockets).
 *
 * @author Secure Streams contributors
 */
public final class ProxyHopFloor {

	private static final byte[] ONE_K = new byte[1024];

	private static final byte[] ONE_M = new byte[1024 * 1024];

	private ProxyHopFloor() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = Harness.options(args, "rounds", "scale", "warmup");
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "5"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
		double scale = Double.parseDouble(options.getOrDefault("scale", "1"));
		int bulk = Harness.count(300, scale);
		int small = Harness.count(5000, scale);
		int concurrent = Math.max(16, Harness.count(10000, scale));
		String loadBefore = Harness.loadAverage();
		LoopResources serverLoops = LoopResources.create("floor-http-server", 1, 2, true);
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(serverLoops)
			.route((routes) -> routes
				.get("/1k", (req, res) -> res.header("content-length", "1024").sendByteArray(Mono.just(ONE_K)))
				.get("/1m", (req, res) -> res.header("content-length", String.valueOf(ONE_M.length))
					.sendByteArray(Mono.just(ONE_M))))
			.bindNow();
		EventLoopGroup relayLoops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
		EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
		Path socket = Files.createTempDirectory("bench-relay").resolve("relay.sock");
		Channel relay = new ServerBootstrap().group(relayLoops)
			.channel(EpollServerDomainSocketChannel.class)
			.childOption(ChannelOption.AUTO_READ, false)
			.childHandler(new BareRelay(server.address()))
			.bind(new DomainSocketAddress(socket.toString()))
			.sync()
			.channel();
		Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
		try {
			for (int round = -warmup + 1; round <= rounds; round++) {
				for (boolean viaRelay : new boolean[] { false, true }) {
					Map<String, List<Double>> mine = results.computeIfAbsent(viaRelay ? "bare relay (Unix socket)"
							: "direct", (n) -> new LinkedHashMap<>());
					Bootstrap client = new Bootstrap().group(clientLoops)
						.channel(viaRelay ? EpollDomainSocketChannel.class : EpollSocketChannel.class)
						.remoteAddress(viaRelay ? new DomainSocketAddress(socket.toString()) : server.address());
					long cpu0 = Harness.processCpuNanos();
					long t0 = System.nanoTime();
					long bytes = get(client, "/1m", bulk, 1);
					long t1 = System.nanoTime();
					long cpu1 = Harness.processCpuNanos();
					get(client, "/1k", small, 1);
					long t2 = System.nanoTime();
					long cpu2 = Harness.processCpuNanos();
					get(client, "/1k", concurrent, 16);
					long t3 = System.nanoTime();
					long cpu3 = Harness.processCpuNanos();
					if (round > 0) {
						Harness.add(mine, ProxyComparison.BULK, bytes / 1e6 / Harness.seconds(t1 - t0));
						Harness.add(mine, ProxyComparison.SMALL, small / Harness.seconds(t2 - t1));
						Harness.add(mine, ProxyComparison.CONCURRENT, concurrent / Harness.seconds(t3 - t2));
						Harness.add(mine, ProxyComparison.CPU_BULK, (cpu1 - cpu0) / 1e6 / (bytes / 1e6));
						Harness.add(mine, ProxyComparison.CPU_SMALL, (cpu2 - cpu1) / 1e3 / small);
						Harness.add(mine, ProxyComparison.CPU_CONCURRENT, (cpu3 - cpu2) / 1e3 / concurrent);
					}
				}
				System.err.printf("round %d done%n", round);
			}
		}
		finally {
			relay.close().sync();
			relayLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
			clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
			server.disposeNow(Duration.ofSeconds(10));
			serverLoops.disposeLater().block(Duration.ofSeconds(10));
			Files.deleteIfExists(socket);
			Files.deleteIfExists(socket.getParent());
		}
		System.out.printf("Median of %d interleaved rounds after %d unrecorded ones; %s%n%n", rounds, warmup,
				Harness.machine(loadBefore, Harness.loadAverage()));
		System.out.println("| measure | direct | bare relay (Unix socket) | relay / direct |");
		System.out.println("|---|---|---|---|");
		for (String metric : results.get("direct").keySet()) {
			double direct = Harness.median(results.get("direct").get(metric));
			double relayed = Harness.median(results.get("bare relay (Unix socket)").get(metric));
			String format = metric.startsWith("CPU per MB") ? "| %s | %.2f | %.2f | %.2f |%n"
					: "| %s | %.0f | %.0f | %.2f |%n";
			System.out.printf(format, metric, direct, relayed, relayed / direct);
		}
	}

	/**
	 * Runs {@code transactions} GETs on {@code concurrency} connections, each sending its next
	 * request when the previous response is complete.
	 * @return response bytes received, headers included
	 */
	private static long get(Bootstrap bootstrap, String path, int transactions, int concurrency) throws Exception {
		byte[] request = ("GET " + path + " HTTP/1.1\r\nhost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
		int body = path.equals("/1m") ? ONE_M.length : ONE_K.length;
		AtomicInteger remaining = new AtomicInteger(transactions);
		AtomicInteger finished = new AtomicInteger();
		AtomicLong bytes = new AtomicLong();
		CompletableFuture<Void> done = new CompletableFuture<>();
		List<Channel> channels = new ArrayList<>();
		for (int i = 0; i < concurrency; i++) {
			Channel channel = bootstrap.clone()
				.handler(new ResponseCounter(body, () -> {
					if (remaining.getAndDecrement() > 0) {
						return true;
					}
					if (finished.incrementAndGet() == concurrency) {
						done.complete(null);
					}
					return false;
				}, request, bytes, done))
				.connect()
				.sync()
				.channel();
			channels.add(channel);
		}
		for (Channel channel : channels) {
			remaining.decrementAndGet();
			channel.writeAndFlush(Unpooled.wrappedBuffer(request));
		}
		try {
			done.get(10, TimeUnit.MINUTES);
		}
		finally {
			for (Channel channel : channels) {
				channel.close().sync();
			}
		}
		return bytes.get();
	}

	/** Whether a connection should send another request. */
	private interface NextRequest {

		boolean another();

	}

	/** Counts one connection's response bytes; a response ends after its headers and body. */
	private static final class ResponseCounter extends ChannelInboundHandlerAdapter {

		private static final ByteBuf HEADER_END = Unpooled.unreleasableBuffer(
				Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

		private final int body;

		private final NextRequest next;

		private final byte[] request;

		private final AtomicLong bytes;

		private final CompletableFuture<Void> done;

		// The server's headers have a fixed length per path: learnt from the first response.
		private long responseLength;

		private long inResponse;

		ResponseCounter(int body, NextRequest next, byte[] request, AtomicLong bytes, CompletableFuture<Void> done) {
			this.body = body;
			this.next = next;
			this.request = request;
			this.bytes = bytes;
			this.done = done;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ByteBuf data = (ByteBuf) msg;
			try {
				if (this.responseLength == 0) {
					int end = ByteBufUtil.indexOf(HEADER_END, data);
					this.responseLength = end - data.readerIndex() + HEADER_END.readableBytes() + this.body;
				}
				this.bytes.addAndGet(data.readableBytes());
				this.inResponse += data.readableBytes();
			}
			finally {
				data.release();
			}
			if (this.inResponse >= this.responseLength) {
				this.inResponse -= this.responseLength;
				if (this.next.another()) {
					ctx.writeAndFlush(Unpooled.wrappedBuffer(this.request));
				}
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			this.done.completeExceptionally(cause);
			ctx.close();
		}

	}

}
