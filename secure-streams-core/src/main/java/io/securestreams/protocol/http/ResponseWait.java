package io.securestreams.protocol.http;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.protocol.StreamLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the wait for a response head once a request is completely written, as libwebsockets
 * does with its {@code PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE} of {@code timeout_secs}: a
 * server that takes the request and never answers would otherwise hold the stream for as long as
 * the connection lives (the policy's {@code timeout_ms} is the application's own, optional,
 * timer). When the wait ends the channel (the h1 connection, or the h2 stream) is closed, and the
 * stream goes on as when the server closes it.
 * <p>
 * Kept-alive connections run many short transactions, so the timer is not scheduled and
 * cancelled for each: a transaction only moves the deadline, and a timer that fires early
 * schedules itself again for what is left; the channel's closing cancels it. A request whose head
 * waits before it goes out (an h2 stream queued for a slot under the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS) has not been sent: its wait starts once the head has left,
 * unless no slot can free up (the server allows no stream at all), when it times out as usual.
 * All calls come from the channel's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ResponseWait {

	private static final Logger logger = LoggerFactory.getLogger(ResponseWait.class);

	private final StreamLink link;

	private @Nullable Channel channel;

	private @Nullable ScheduledFuture<?> timer;

	// System.nanoTime() by which the response head is due; meaningful while waiting.
	private long deadline;

	private boolean waiting;

	// The write of a request head that has not gone out yet, or null.
	private @Nullable ChannelFuture pendingHead;

	// Whether the pending head may still go out: a slot is taken by a request that will end.
	private BooleanSupplier slotComing = () -> false;

	ResponseWait(StreamLink link) {
		this.link = link;
	}

	/**
	 * A request head was handed to a channel that may hold it back: until {@code written}
	 * completes, the request is not timed as long as {@code slotComing} says it may go out.
	 * @param written the head's write
	 * @param slotComing whether the head can still go out (a slot will free up)
	 */
	void headPending(ChannelFuture written, BooleanSupplier slotComing) {
		if (written.isDone()) {
			// The head of an earlier h2 stream of the transaction (one it moved from) no longer counts.
			this.pendingHead = null;
			return;
		}
		this.pendingHead = written;
		this.slotComing = slotComing;
		written.addListener((done) -> {
			if (this.pendingHead == written) {
				this.pendingHead = null;
				if (this.waiting) {
					// The request is complete and has only now been sent: its timeout starts here.
					this.deadline = System.nanoTime() + this.link.limits().responseTimeout().toNanos();
				}
			}
		});
	}

	/** The request went out completely on {@code ch}: the response head is due. */
	void requestWritten(Channel ch) {
		long timeout = this.link.limits().responseTimeout().toNanos();
		this.deadline = System.nanoTime() + timeout;
		this.waiting = true;
		if (ch != this.channel) {
			stopTimer();
			this.channel = ch;
			// A timer left on a closed channel would hold it (and its stream) until it fired.
			ch.closeFuture().addListener((closed) -> channelClosed(ch));
		}
		if (this.timer == null) {
			schedule(ch, timeout);
		}
	}

	/** A response head (or an interim answer) arrived, or the transaction ended otherwise. */
	void cancel() {
		this.waiting = false;
	}

	/**
	 * Returns whether a response head is due: the request went out completely and no head came
	 * since.
	 * @return {@code true} while waiting
	 */
	boolean isWaiting() {
		return this.waiting;
	}

	/**
	 * Returns whether the request head is held back before it goes out, with a slot to come.
	 * @return {@code true} while an h2 request waits for a stream slot
	 */
	boolean isHeadHeldBack() {
		return this.pendingHead != null && this.slotComing.getAsBoolean();
	}

	private void schedule(Channel ch, long nanos) {
		this.timer = ch.eventLoop().schedule(() -> fired(ch), nanos, TimeUnit.NANOSECONDS);
	}

	private void stopTimer() {
		ScheduledFuture<?> pending = this.timer;
		if (pending != null) {
			this.timer = null;
			pending.cancel(false);
		}
	}

	private void channelClosed(Channel ch) {
		if (ch == this.channel) {
			stopTimer();
			this.channel = null;
			this.waiting = false;
			this.pendingHead = null;
		}
	}

	private void fired(Channel ch) {
		if (ch != this.channel) {
			return;
		}
		this.timer = null;
		if (!this.waiting || !ch.isActive()) {
			return;
		}
		if (this.pendingHead != null && this.slotComing.getAsBoolean()) {
			// Not sent yet: the deadline moves once the head goes out.
			schedule(ch, this.link.limits().responseTimeout().toNanos());
			return;
		}
		long left = this.deadline - System.nanoTime();
		if (left > 0) {
			schedule(ch, left);
			return;
		}
		this.waiting = false;
		if (this.pendingHead != null) {
			logger.warn("no h2 stream slot from {} within {} ms for streamtype '{}' (the server allows no stream "
					+ "and none is under way); closing", ch.remoteAddress(),
					this.link.limits().responseTimeout().toMillis(), this.link.policy().name());
		}
		else {
			logger.warn("no response from {} within {} ms for streamtype '{}'; closing", ch.remoteAddress(),
					this.link.limits().responseTimeout().toMillis(), this.link.policy().name());
		}
		ch.close();
	}

}
