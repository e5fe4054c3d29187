package io.securestreams.transport;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollSocketChannel;
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
 * finds the channel writable), or fewer bytes standing before it does (a peer reading slowly),
 * or, on epoll, the socket having sent data within the timeout (see {@link #socketSent}).
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

	// The channel whose closing has been told to stop the watch (once per channel).
	private @Nullable Channel closeWatched;

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
		if (this.closeWatched != ch) {
			// A timer left on a closed channel would hold it, and what it served, until it fired.
			this.closeWatched = ch;
			ch.closeFuture().addListener((closed) -> {
				if (this.channel == ch) {
					cancel();
				}
			});
		}
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

	/**
	 * Returns whether the socket the channel's bytes go out through sent some within the last
	 * {@code millis}. The kernel wakes a writer only once a good part of a full send buffer is
	 * free again (a third of megabytes, on loopback), so a peer that reads steadily but slowly may
	 * empty it for longer than the timeout with the socket never reported writable: what it took
	 * shows only in the kernel, which epoll's TCP_INFO tells: when the socket last sent data. An
	 * h2 stream's bytes go out through its connection's socket.
	 */
	private static boolean socketSent(Channel ch, long millis) {
		// An accepted connection's parent is its listener, an h2 stream's its connection.
		Channel socket = (ch.parent() == null || ch.parent() instanceof ServerChannel) ? ch : ch.parent();
		if (!socket.isActive() || (socket != ch && socket.isWritable())) {
			// An h2 stream held back by its own window, not by the socket: the socket sending
			// other streams' bytes says nothing of this one.
			return false;
		}
		// NIO has no such word from the kernel (docs/servers.md says what that means).
		return socket instanceof EpollSocketChannel epoll && epoll.tcpInfo().lastDataSent() < millis;
	}

	private void fired(Channel ch) {
		if (ch != this.channel) {
			return;
		}
		this.timer = null;
		long millis = this.timeout.get().toMillis();
		boolean socketSent = this.sending.getAsBoolean() && ch.isActive() && !ch.isWritable() && socketSent(ch, millis);
		if (!this.sending.getAsBoolean() || !ch.isActive() || ch.isWritable()) {
			this.channel = null;
			return;
		}
		long now = ch.bytesBeforeWritable();
		if (now < this.standing || socketSent) {
			// The peer reads, slowly: the watch starts again from here.
			this.standing = now;
			schedule(ch);
			return;
		}
		this.channel = null;
		this.stalled.accept(ch);
	}

}
