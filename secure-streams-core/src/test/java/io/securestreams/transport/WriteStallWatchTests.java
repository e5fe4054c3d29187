package io.securestreams.transport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watch's own contract, on an embedded channel whose clock the test moves: a channel that
 * stays unwritable with nothing taken for the timeout is reported once; any bytes taken (fewer
 * standing before it turns writable) start the wait again; the channel turning writable, the
 * writer cancelling, the channel closing or the writer having nothing more to send end the watch
 * without a report.
 */
class WriteStallWatchTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final List<Channel> stalled = new CopyOnWriteArrayList<>();

	private volatile boolean sending = true;

	private final WriteStallWatch watch = new WriteStallWatch(() -> TIMEOUT, () -> this.sending, this.stalled::add);

	private EmbeddedChannel channel;

	@BeforeEach
	void open() {
		this.channel = new EmbeddedChannel();
		this.channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
		this.channel.freezeTime();
	}

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	// Queued without a flush, the bytes stand before the channel as a peer that takes none leaves them.
	private void queue(int bytes) {
		this.channel.write(Unpooled.wrappedBuffer(new byte[bytes]));
	}

	private void advance(Duration by) {
		this.channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
		this.channel.runScheduledPendingTasks();
	}

	@Test
	void aChannelThatTakesNothingForTheTimeoutIsReportedOnce() {
		queue(32);
		assertThat(this.channel.isWritable()).isFalse();
		this.watch.update(this.channel, true);
		// Further rounds while nothing moved do not restart the wait.
		advance(TIMEOUT.minusSeconds(1));
		this.watch.update(this.channel, true);
		assertThat(this.stalled).isEmpty();
		advance(Duration.ofSeconds(1));
		assertThat(this.stalled).containsExactly(this.channel);
		advance(TIMEOUT.multipliedBy(3));
		assertThat(this.stalled).hasSize(1);
	}

	@Test
	void bytesTakenStartTheWaitAgain() {
		queue(32);
		this.watch.update(this.channel, true);
		advance(TIMEOUT.minusSeconds(1));
		// The peer took part of it (the flushed bytes leave), the channel is still unwritable.
		this.channel.flush();
		queue(20);
		assertThat(this.channel.isWritable()).isFalse();
		advance(Duration.ofSeconds(1));
		assertThat(this.stalled).isEmpty();
		advance(TIMEOUT.minusSeconds(1));
		assertThat(this.stalled).isEmpty();
		advance(Duration.ofSeconds(1));
		assertThat(this.stalled).containsExactly(this.channel);
	}

	@Test
	void cancelWritableNothingToSendOrCloseEndTheWatch() {
		queue(32);
		this.watch.update(this.channel, true);
		this.watch.cancel();
		advance(TIMEOUT.multipliedBy(2));
		this.watch.update(this.channel, true);
		this.watch.update(this.channel, false);
		advance(TIMEOUT.multipliedBy(2));
		this.watch.update(this.channel, true);
		this.sending = false;
		advance(TIMEOUT.multipliedBy(2));
		this.sending = true;
		this.watch.update(this.channel, true);
		this.channel.flush();
		assertThat(this.channel.isWritable()).isTrue();
		advance(TIMEOUT.multipliedBy(2));
		queue(32);
		this.watch.update(this.channel, true);
		this.channel.close();
		advance(TIMEOUT.multipliedBy(2));
		assertThat(this.stalled).isEmpty();
	}

}
