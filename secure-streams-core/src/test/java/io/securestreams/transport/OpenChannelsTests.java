package io.securestreams.transport;

import java.net.InetSocketAddress;
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
	private Channel connect(DeferredClose deferredClose, ReleaseOnInactive release) throws Exception {
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
						channel.pipeline().addLast(release, deferredClose);
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
