package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Quick-ack mode is switched on after a read that nothing answers in the same event-loop turn,
 * and left alone when an answer, which carries the acknowledgement, is written.
 */
class QuickAckHandlerTests {

	private final AtomicInteger quickAcks = new AtomicInteger();

	/** An embedded channel whose reads are answered (or not) by {@code onRead}. */
	private EmbeddedChannel channel(Consumer<ChannelHandlerContext> onRead) {
		return new EmbeddedChannel(new QuickAckHandler((ch) -> this.quickAcks.incrementAndGet()),
				new ChannelInboundHandlerAdapter() {
					@Override
					public void channelRead(ChannelHandlerContext ctx, Object msg) {
						onRead.accept(ctx);
					}
				});
	}

	private static void answer(ChannelHandlerContext ctx) {
		ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1 }));
	}

	private static void readBatch(EmbeddedChannel channel) {
		channel.pipeline().fireChannelRead("segment");
		channel.pipeline().fireChannelReadComplete();
		channel.runPendingTasks();
	}

	@Test
	void aReadNothingAnswersSwitchesQuickAckOn() {
		EmbeddedChannel channel = channel((ctx) -> {
		});
		readBatch(channel);
		assertThat(this.quickAcks).hasValue(1);
		readBatch(channel);
		assertThat(this.quickAcks).as("decided again after every read").hasValue(2);
		assertThat(channel.finishAndReleaseAll()).isFalse();
	}

	@Test
	void aReadAnsweredWhileReadingIsAcknowledgedByTheAnswer() {
		EmbeddedChannel channel = channel(QuickAckHandlerTests::answer);
		readBatch(channel);
		assertThat(this.quickAcks).hasValue(0);
		assertThat(channel.finishAndReleaseAll()).isTrue();
	}

	@Test
	void aReadAnsweredByATaskItQueuedIsAcknowledgedByTheAnswer() {
		// How a stream answers a PUBACK: the state callback asks for tx, which runs as a task.
		EmbeddedChannel channel = channel((ctx) -> ctx.executor().execute(() -> answer(ctx)));
		readBatch(channel);
		assertThat(this.quickAcks).hasValue(0);
		assertThat(channel.finishAndReleaseAll()).isTrue();
	}

	@Test
	void anAnswerFlushedByATaskQueuedAfterTheReadsTasksStillCounts() {
		// As the h2 server does: the read's task writes the response, and the flush that passes it
		// on (through TLS) comes in a task that task queued.
		EmbeddedChannel channel = channel(
				(ctx) -> ctx.executor().execute(() -> ctx.executor().execute(() -> answer(ctx))));
		readBatch(channel);
		assertThat(this.quickAcks).hasValue(0);
	}

	@Test
	void anEmptyWriteAsNettysTlsHandlerMakesOnEveryFlushIsNoAnswer() {
		EmbeddedChannel channel = channel((ctx) -> ctx.writeAndFlush(Unpooled.EMPTY_BUFFER));
		readBatch(channel);
		assertThat(this.quickAcks).hasValue(1);
	}

	@Test
	void aWriteBeforeTheReadDoesNotCountAsItsAnswer() {
		EmbeddedChannel channel = channel((ctx) -> {
		});
		channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1 }));
		readBatch(channel);
		assertThat(this.quickAcks).hasValue(1);
		assertThat(channel.finishAndReleaseAll()).isTrue();
	}

	@Test
	void unansweredReadsOnAnEpollSocketSwitchQuickAckOnAgainEachTime() throws Exception {
		assumeTrue(Epoll.isAvailable(), "TCP_QUICKACK needs the native epoll transport (Linux)");
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
		try {
			// The server answers every byte with a byte, so the client reads once per exchange.
			Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
				.childHandler(new ChannelInboundHandlerAdapter() {
					@Override
					public void channelRead(ChannelHandlerContext ctx, Object msg) {
						ctx.writeAndFlush(msg);
					}
				})
				.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
			List<Boolean> quickAckAfterEachRead = new CopyOnWriteArrayList<>();
			CompletableFuture<Void> done = new CompletableFuture<>();
			Channel client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
				.handler(new ChannelInitializer<EpollSocketChannel>() {
					@Override
					protected void initChannel(EpollSocketChannel ch) {
						ch.pipeline().addLast(new QuickAckHandler(), new ChannelInboundHandlerAdapter() {
							@Override
							public void channelRead(ChannelHandlerContext ctx, Object msg) {
								ReferenceCountUtil.release(msg);
							}

							@Override
							public void channelReadComplete(ChannelHandlerContext ctx) {
								// Queued after the handler's decision (a second look one task after
								// its first), so it sees its outcome.
								ctx.executor().execute(() -> ctx.executor().execute(() -> record(ctx)));
							}

							private void record(ChannelHandlerContext ctx) {
								EpollSocketChannel channel = (EpollSocketChannel) ctx.channel();
								quickAckAfterEachRead.add(channel.config().isTcpQuickAck());
								// Back to delayed ACKs: only the handler can switch quick-ack on again.
								channel.config().setTcpQuickAck(false);
								if (quickAckAfterEachRead.size() == 5) {
									done.complete(null);
								}
								else {
									ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1 }));
								}
							}
						});
					}
				})
				.connect(server.localAddress()).sync().channel();
			client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] { 1 })).sync();
			done.get(10, TimeUnit.SECONDS);
			assertThat(quickAckAfterEachRead).containsExactly(true, true, true, true, true);
			client.close().sync();
			server.close().sync();
		}
		finally {
			group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
		}
	}

}
