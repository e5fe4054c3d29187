package io.securestreams.transport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Bounds how long what is written to a channel may wait for a peer that takes none of it: a peer
 * that stops reading (or, on h2, never opens its flow-control window) leaves the channel
 * unwritable, and without a bound the writer would wait for as long as the connection lives.
 * Data the writer is slow to produce is not timed: the channel stays writable then.
 * <p>
 * The watch runs while the channel is unwritable with something left to send; any progress
 * starts it again: the channel turning writable ({@link #cancel()}, called by the writer when it
 * finds the channel writable), or fewer bytes standing before it does (a peer reading slowly).
 * After the timeout without progress, {@code stalled} is told. All calls come from the
 * channel's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class WriteStallWatch {

	private final Supplier<Duration> timeout;

	private final BooleanSupplier sending;

	private final Consumer<Channel> stalled;

	private @Nullable ScheduledFuture<?> timer;

	private @Nullable Channel channel;

	// The channel's bytesBeforeWritable() when the watch last saw progress.
	private long standing;

	/**
	 * Creates a watch.
	 * @param timeout the longest wait without progress
	 * @param sending whether something is still being sent (checked when the time is up)
	 * @param stalled told, with the channel, when the time is up without progress
	 */
	public WriteStallWatch(Supplier<Duration> timeout, BooleanSupplier sending, Consumer<Channel> stalled) {
		this.timeout = timeout;
		this.sending = sending;
		this.stalled = stalled;
	}

	/**
	 * Tells the watch where the writing stands after a round of it.
	 * @param ch the channel written to
	 * @param waiting whether something is left to send and waits for the channel to become writable
	 */
	public void update(Channel ch, boolean waiting) {
		if (!waiting) {
			cancel();
			return;
		}
		if (this.timer != null && this.channel == ch) {
			// Already watching since the channel stopped taking bytes.
			return;
		}
		cancel();
		this.channel = ch;
		this.standing = ch.bytesBeforeWritable();
		schedule(ch);
	}

	/** Stops watching: the writing ended, or the channel took bytes again. */
	public void cancel() {
		ScheduledFuture<?> pending = this.timer;
		this.timer = null;
		this.channel = null;
		if (pending != null) {
			pending.cancel(false);
		}
	}

	private void schedule(Channel ch) {
		this.timer = ch.eventLoop().schedule(() -> fired(ch), this.timeout.get().toNanos(), TimeUnit.NANOSECONDS);
	}

	private void fired(Channel ch) {
		if (ch != this.channel) {
			return;
		}
		this.timer = null;
		if (!this.sending.getAsBoolean() || !ch.isActive() || ch.isWritable()) {
			this.channel = null;
			return;
		}
		long now = ch.bytesBeforeWritable();
		if (now < this.standing) {
			// The peer reads, slowly: the watch starts again from here.
			this.standing = now;
			schedule(ch);
			return;
		}
		this.channel = null;
		this.stalled.accept(ch);
	}

}
