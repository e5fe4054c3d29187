package io.securestreams.transport;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The flushes of one event-loop turn reach the socket as one, after the tasks queued before the
 * first of them, and nothing written stays unflushed when the turn or the channel ends.
 */
class TurnEndFlushHandlerTests {

	// What was written towards the socket, and how many writes there were at each flush.
	private final List<Integer> written = new ArrayList<>();

	private final List<Integer> flushedWrites = new ArrayList<>();

	// Takes the place of the socket. The tests write through the pipeline: EmbeddedChannel runs
	// the queued tasks after its own write methods, which would hide the order the handler
	// relies on.
	private EmbeddedChannel channel(int maxPendingFlushes) {
		EmbeddedChannel channel = new EmbeddedChannel();
		channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
			@Override
			public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
				ByteBuf data = (ByteBuf) msg;
				TurnEndFlushHandlerTests.this.written.add((int) data.readByte());
				data.release();
				promise.setSuccess();
			}

			@Override
			public void flush(ChannelHandlerContext ctx) {
				TurnEndFlushHandlerTests.this.flushedWrites.add(TurnEndFlushHandlerTests.this.written.size());
			}
		}, new TurnEndFlushHandler(maxPendingFlushes));
		return channel;
	}

	private static ByteBuf data(int value) {
		return Unpooled.wrappedBuffer(new byte[] { (byte) value });
	}

	@Test
	void aFlushWaitsForTheTasksQueuedBeforeItAndGoesOutOnceWithTheirWrites() {
		EmbeddedChannel channel = channel(256);
		// A read callback asks for the next transmission (a task), then its acknowledgement is
		// written and flushed: the reply the task writes must leave with it.
		channel.eventLoop().execute(() -> channel.pipeline().writeAndFlush(data(2)));
		channel.pipeline().writeAndFlush(data(1));
		assertThat(this.flushedWrites).isEmpty();
		channel.runPendingTasks();
		assertThat(this.written).containsExactly(1, 2);
		assertThat(this.flushedWrites).containsExactly(2);
		channel.finishAndReleaseAll();
	}

	@Test
	void theEndOfAReadDoesNotFlushBeforeTheTasksTheReadQueued() {
		EmbeddedChannel channel = channel(256);
		channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				// A stream told of a message asks for its next transmission; then the message's
				// acknowledgement is written.
				ctx.executor().execute(() -> ctx.writeAndFlush(data(2)));
				ctx.writeAndFlush(data(1));
			}
		});
		channel.pipeline().fireChannelRead("publish");
		channel.pipeline().fireChannelReadComplete();
		channel.runPendingTasks();
		assertThat(this.written).containsExactly(1, 2);
		assertThat(this.flushedWrites).containsExactly(2);
		channel.finishAndReleaseAll();
	}

	@Test
	void eachTurnFlushesAgain() {
		EmbeddedChannel channel = channel(256);
		channel.pipeline().writeAndFlush(data(1));
		channel.runPendingTasks();
		channel.pipeline().writeAndFlush(data(2));
		channel.pipeline().writeAndFlush(data(3));
		channel.runPendingTasks();
		assertThat(this.flushedWrites).containsExactly(1, 3);
		channel.finishAndReleaseAll();
	}

	@Test
	void aWriterThatLoopsInOneTaskFlushesEveryMaxPendingFlushes() {
		EmbeddedChannel channel = channel(3);
		for (int i = 0; i < 7; i++) {
			channel.pipeline().writeAndFlush(data(i));
		}
		assertThat(this.flushedWrites).containsExactly(3, 6);
		channel.runPendingTasks();
		assertThat(this.flushedWrites).containsExactly(3, 6, 7);
		channel.finishAndReleaseAll();
	}

	@Test
	void aChannelThatTurnsUnwritableFlushesAtOnce() {
		EmbeddedChannel channel = channel(256);
		channel.pipeline().writeAndFlush(data(1));
		// What waits unflushed counts against the high-water mark: a writer that waits for
		// writability would otherwise stall until the task runs.
		channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
		// Netty announces that in a task; the test announces it now, before the flush task runs.
		channel.pipeline().fireChannelWritabilityChanged();
		assertThat(this.flushedWrites).containsExactly(1);
		channel.finishAndReleaseAll();
	}

	@Test
	void closingFlushesWhatWaits() {
		EmbeddedChannel channel = channel(256);
		channel.pipeline().writeAndFlush(data(9));
		channel.close();
		assertThat(this.flushedWrites).containsExactly(1);
		channel.finishAndReleaseAll();
	}

	@Test
	void removingTheHandlerFlushesWhatWaits() {
		EmbeddedChannel channel = channel(256);
		channel.pipeline().writeAndFlush(data(9));
		channel.pipeline().remove(TurnEndFlushHandler.class);
		assertThat(this.flushedWrites).containsExactly(1);
		channel.runPendingTasks();
		assertThat(this.flushedWrites).containsExactly(1);
		channel.finishAndReleaseAll();
	}

	@Test
	void anExceptionFlushesWhatWaits() {
		EmbeddedChannel channel = channel(256);
		channel.pipeline().writeAndFlush(data(9));
		channel.pipeline().fireExceptionCaught(new IllegalStateException("test"));
		assertThat(this.flushedWrites).containsExactly(1);
		assertThatIllegalStateException().isThrownBy(channel::checkException).withMessage("test");
		channel.finishAndReleaseAll();
	}

	@Test
	void atLeastOneFlushMayWait() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TurnEndFlushHandler(0))
			.withMessageContaining("maxPendingFlushes");
	}

}
