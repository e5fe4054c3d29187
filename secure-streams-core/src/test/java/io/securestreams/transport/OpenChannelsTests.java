package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channels still open when a context stops end while the loops run: a close that a handler
 * completes in a later task (as Netty's h2 codec does, sending GOAWAY and closing from a
 * scheduled task) is not lost to the loops' stop, which drops scheduled tasks, and a handler that
 * never lets the close through is passed by after the timeout. Either way the channel's inactive
 * event runs, where handlers release what they hold.
 */
class OpenChannelsTests {

	private final TransportResources transport = TransportResources.create(1, TransportResources.Kind.AUTO);

	private final List<String> events = new CopyOnWriteArrayList<>();

	@AfterEach
	void stop() {
		this.transport.shutdownGracefully(Duration.ZERO, Duration.ofSeconds(5))
			.awaitUninterruptibly(6, TimeUnit.SECONDS);
	}

	@Test
	void aCloseCompletedFromAScheduledTaskHappensBeforeTheLoopsStop() throws Exception {
		ByteBuf held = Unpooled.buffer(16).writeZero(16);
		Channel channel = connect(new DeferredClose(50), new ReleaseOnInactive(held));
		this.transport.closeChannels(Duration.ofSeconds(5));
		assertThat(this.events).containsExactly("close asked", "close passed on", "inactive");
		assertThat(held.refCnt()).isZero();
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void aCloseAHandlerHoldsBackIsForcedAfterTheTimeout() throws Exception {
		ByteBuf held = Unpooled.buffer(16).writeZero(16);
		Channel channel = connect(new DeferredClose(-1), new ReleaseOnInactive(held));
		long start = System.nanoTime();
		this.transport.closeChannels(Duration.ofMillis(200));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
		assertThat(this.events).containsExactly("close asked", "inactive");
		assertThat(held.refCnt()).isZero();
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void aChannelClosedBeforeIsNotWaitedFor() throws Exception {
		Channel channel = connect(new DeferredClose(0), new ReleaseOnInactive(Unpooled.EMPTY_BUFFER));
		channel.close().sync();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("inactive"));
		this.events.clear();
		long start = System.nanoTime();
		this.transport.closeChannels(Duration.ofSeconds(5));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
		assertThat(this.events).isEmpty();
	}

	/**
	 * A listening channel can accept a connection after the list of channels to close was read
	 * (the proxy's listener, which no stream closes before): the connection is listed on its loop
	 * later, and was left open when the loops stopped, its inactive event never run (seen as a
	 * proxy link's half frame reported leaked, and a proxy close waiting for links that never
	 * ended). Here a channel opens another one as its close is asked, the same way round.
	 */
	@Test
	void aChannelListedWhileTheOthersCloseIsClosedToo() throws Exception {
		ByteBuf held = Unpooled.buffer(16).writeZero(16);
		ByteBuf heldByLate = Unpooled.buffer(16).writeZero(16);
		InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
		Channel server = new ServerBootstrap().group(this.transport.group())
			.channel(this.transport.serverChannel(any))
			.childHandler(new ChannelInboundHandlerAdapter())
			.bind(any)
			.sync()
			.channel();
		List<Channel> late = new CopyOnWriteArrayList<>();
		try {
			connect(new OpensAnotherOnClose(server.localAddress(), heldByLate, late), new ReleaseOnInactive(held));
			this.transport.closeChannels(Duration.ofSeconds(5));
			assertThat(late).hasSize(1);
			assertThat(late.get(0).isOpen()).isFalse();
			assertThat(this.events).containsExactly("close asked", "inactive", "removed");
			assertThat(held.refCnt()).isZero();
			assertThat(heldByLate.refCnt()).isZero();
		}
		finally {
			server.close().sync();
		}
	}

	@Test
	void closingChannelsFromALoopIsRefused() {
		Future<?> attempt = this.transport.group()
			.next()
			.submit(() -> this.transport.closeChannels(Duration.ofSeconds(1)));
		assertThat(attempt.awaitUninterruptibly(5, TimeUnit.SECONDS)).isTrue();
		assertThat(attempt.cause()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("outside the event loops");
	}

	// A client channel on the transport's loop, connected to a server of the same transport that
	// takes the connection and does nothing with it. The client is listed, the server is not.
	private Channel connect(ChannelOutboundHandlerAdapter onClose, ReleaseOnInactive release) throws Exception {
		InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
		Channel server = new ServerBootstrap().group(this.transport.group())
			.channel(this.transport.serverChannel(any))
			.childHandler(new ChannelInboundHandlerAdapter())
			.bind(any)
			.sync()
			.channel();
		try {
			return new Bootstrap().group(this.transport.group())
				.channel(this.transport.clientChannel(any))
				.handler(new ChannelInitializer<Channel>() {
					@Override
					protected void initChannel(Channel channel) {
						OpenChannelsTests.this.transport.track(channel);
						channel.pipeline().addLast(release, onClose);
					}
				})
				.connect(server.localAddress())
				.sync()
				.channel();
		}
		finally {
			server.close().sync();
		}
	}

	/** Lets a close through after a delay on a scheduled task, or never when the delay is negative. */
	private final class DeferredClose extends ChannelOutboundHandlerAdapter {

		private final long delayMillis;

		DeferredClose(long delayMillis) {
			this.delayMillis = delayMillis;
		}

		@Override
		public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
			OpenChannelsTests.this.events.add("close asked");
			if (this.delayMillis >= 0) {
				ctx.executor().schedule(() -> {
					OpenChannelsTests.this.events.add("close passed on");
					ctx.close(promise);
				}, this.delayMillis, TimeUnit.MILLISECONDS);
			}
		}

	}

	/** As its close is asked, opens a listed channel to a server, then lets the close through. */
	private final class OpensAnotherOnClose extends ChannelOutboundHandlerAdapter {

		private final SocketAddress server;

		private final ByteBuf held;

		private final List<Channel> opened;

		OpensAnotherOnClose(SocketAddress server, ByteBuf held, List<Channel> opened) {
			this.server = server;
			this.held = held;
			this.opened = opened;
		}

		@Override
		public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
			OpenChannelsTests.this.events.add("close asked");
			Channel another = new Bootstrap().group(ctx.channel().eventLoop())
				.channel(OpenChannelsTests.this.transport.clientChannel(this.server))
				.handler(new ChannelInitializer<Channel>() {
					@Override
					protected void initChannel(Channel channel) {
						OpenChannelsTests.this.transport.track(channel);
						channel.pipeline().addLast(new ReleaseOnRemoval(OpensAnotherOnClose.this.held));
					}
				})
				.connect(this.server)
				.channel();
			this.opened.add(another);
			ctx.close(promise);
		}

	}

	/**
	 * Holds a buffer until the pipeline is torn down, as a decoder holds what it accumulated: a
	 * channel closed before its connect completed was never active, and hears no inactive event.
	 */
	private final class ReleaseOnRemoval extends ChannelInboundHandlerAdapter {

		private final ByteBuf held;

		ReleaseOnRemoval(ByteBuf held) {
			this.held = held;
		}

		@Override
		public void handlerRemoved(ChannelHandlerContext ctx) {
			OpenChannelsTests.this.events.add("removed");
			this.held.release();
		}

	}

	/** Holds a buffer until the channel's inactive event, as a codec holds queued frames. */
	private final class ReleaseOnInactive extends ChannelInboundHandlerAdapter {

		private final ByteBuf held;

		ReleaseOnInactive(ByteBuf held) {
			this.held = held;
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			OpenChannelsTests.this.events.add("inactive");
			this.held.release();
			ctx.fireChannelInactive();
		}

	}

}
