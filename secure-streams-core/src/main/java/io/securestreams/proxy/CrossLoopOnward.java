package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

import io.netty.channel.EventLoop;
import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.internal.OnwardStream;
import io.securestreams.policy.BufferSettings;
import io.securestreams.proxy.wire.RxPayloadRun;
import io.securestreams.proxy.wire.ToProxy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of an onward stream that lives on another event loop than its link: an MQTT
 * stream lives on the loop of its broker connection, which it shares with other streams. Its
 * callbacks run on that loop; states and rx are handed to the link's {@link OnwardHandler} on
 * the link's loop (rx payload copied first, since it is only valid during the callback), and
 * {@code onTx} takes the client's payload from a thread-safe queue. Buffering stays bounded by
 * {@code proxy_buflen} both ways: rx waiting to be handed over counts with what the link holds
 * for its client, and the link stops reading while more client payload than that waits.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CrossLoopOnward implements StreamHandler {

	private static final Logger logger = LoggerFactory.getLogger(CrossLoopOnward.class);

	/** What a read under way may still bring after a pause: a connection's largest read. */
	static final long HANDOVER_SLACK = 64 * 1024;

	private final String name;

	private final OnwardHandler link;

	private final EventLoop linkLoop;

	private final LinkOutbox outbox;

	private final BufferSettings buffers;

	private final Runnable resumeLinkReads;

	private final ConcurrentLinkedQueue<Queued> tx = new ConcurrentLinkedQueue<>();

	// Counts the onward transactions that ended; written on the link's loop only. A frame queued
	// in an earlier one is stale: it is dropped on the onward loop, never sent.
	private volatile long transaction;

	// The transaction count up to which stale frames were dropped; read and written on the onward loop.
	private long settled;

	private final AtomicInteger txFrames = new AtomicInteger();

	// The client's frames waiting for onTx, headers included (see OnwardHandler).
	private final AtomicLong txQueuedBytes = new AtomicLong();

	private final AtomicLong rxInFlight = new AtomicLong();

	private final AtomicBoolean handOverPaused = new AtomicBoolean();

	private volatile @Nullable OnwardStream stream;

	private volatile boolean linkClosed;

	/** Cuts the queue's head into slot-sized pieces; used on the onward loop only. */
	private final TxFrameCopier txCopier = new TxFrameCopier();

	/**
	 * Creates the handler.
	 * @param name describes the link, for log lines
	 * @param link the handler on the link's loop that states and rx are handed to
	 * @param linkLoop the link's event loop
	 * @param outbox what the link sends to its client (only its byte count is read here)
	 * @param buffers the streamtype's buffer settings
	 * @param resumeLinkReads resumes reading the link; run on the link's loop
	 */
	CrossLoopOnward(String name, OnwardHandler link, EventLoop linkLoop, LinkOutbox outbox, BufferSettings buffers,
			Runnable resumeLinkReads) {
		this.name = name;
		this.link = link;
		this.linkLoop = linkLoop;
		this.outbox = outbox;
		this.buffers = buffers;
		this.resumeLinkReads = resumeLinkReads;
	}

	void stream(OnwardStream onward) {
		this.stream = onward;
	}

	/**
	 * Runs a task on the link's loop: now when already there (CREATING, or an onward stream
	 * that happens to share the link's loop), else after what was handed over before.
	 */
	private void onLinkLoop(Runnable task) {
		if (this.linkLoop.inEventLoop()) {
			task.run();
			return;
		}
		try {
			this.linkLoop.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// The proxy is stopping: its links are closed and the onward stream is being destroyed.
			logger.debug("{}: dropping an onward event after the link's loop stopped", this.name);
		}
	}

	/**
	 * Wraps an observer of received metadata so that it runs on the link's loop with a copy of
	 * the value.
	 * @param observer the observer, called on the link's loop
	 * @return the observer to register with the onward stream
	 */
	BiConsumer<String, byte[]> onLinkLoop(BiConsumer<String, byte[]> observer) {
		return (key, value) -> {
			byte[] copy = value.clone();
			onLinkLoop(() -> observer.accept(key, copy));
		};
	}

	/**
	 * Wraps an observer of tx credit so that it runs on the link's loop.
	 * @param observer the observer, called on the link's loop
	 * @return the observer to register with the onward stream
	 */
	IntConsumer onLinkLoop(IntConsumer observer) {
		return (credit) -> onLinkLoop(() -> observer.accept(credit));
	}

	@Override
	public StreamResult onState(SecureStream onward, StreamState state, long ack) {
		if (!this.linkClosed) {
			onLinkLoop(() -> this.link.onState(onward, state, ack));
		}
		return StreamResult.OK;
	}

	@Override
	public StreamResult onRx(SecureStream onward, ByteBuffer payload, int flags) {
		if (this.linkClosed) {
			return StreamResult.DISCONNECT_ME;
		}
		if (this.linkLoop.inEventLoop()) {
			return this.link.onRx(onward, payload, flags);
		}
		int total = payload.remaining();
		long needed = 0;
		if (!StreamFlags.has(flags, StreamFlags.PERF_JSON)) {
			needed = RxPayloadRun.wireLength(total);
			// Whether the client takes what it is sent is decided on the link's loop, which writes
			// the frames first (OnwardHandler.onRx). Here only the hand-over is bounded: a broker's
			// read of many small messages outruns the link's loop, a thread wake-up (or a pause of
			// this virtual machine) away, so the stream's reading pauses while a buffer's worth is
			// on its way (handOverPause); this guard is for a pause that does not take effect.
			long held = this.outbox.bufferedBytes() + this.rxInFlight.get();
			long limit = 2 * this.buffers.effectiveProxyBuflen() + HANDOVER_SLACK;
			if (held + needed > limit) {
				logger.warn("{}: proxy buffer full ({} of {} bytes held with those handed over, {} more arrived); "
						+ "dropping them and disconnecting the onward stream", this.name, held, limit, total);
				return StreamResult.DISCONNECT_ME;
			}
		}
		byte[] copy = new byte[total];
		payload.get(copy);
		long reserved = needed;
		long inFlight = this.rxInFlight.addAndGet(reserved);
		boolean pausedHere = pauseAtTheMark(this.outbox.bufferedBytes() + inFlight);
		handOverPause(inFlight);
		onLinkLoop(() -> {
			long left = this.rxInFlight.addAndGet(-reserved);
			StreamResult result = this.link.onRx(onward, ByteBuffer.wrap(copy), flags);
			OnwardStream current = this.stream;
			if (result == StreamResult.DISCONNECT_ME && current != null && !this.linkClosed) {
				current.disconnectLater();
			}
			if (pausedHere) {
				this.link.onwardPaused();
			}
			handOverResume(left);
		});
		return StreamResult.OK;
	}

	/**
	 * Pauses the onward stream's reading, on its own loop, while a buffer's worth of rx is on
	 * its way to the link's loop; handed over, the link decides what its client takes.
	 */
	private void handOverPause(long inFlight) {
		OnwardStream current = this.stream;
		if (inFlight >= this.buffers.effectiveProxyBuflen() && current != null && !this.linkClosed
				&& this.handOverPaused.compareAndSet(false, true)) {
			current.setRxPaused(true);
		}
	}

	/**
	 * Resumes reading, on the link's loop, once half of what paused it was handed over, unless
	 * the link's rx flow control holds the stream paused for its client.
	 */
	private void handOverResume(long inFlight) {
		OnwardStream current = this.stream;
		if (inFlight < this.buffers.effectiveProxyBuflen() / 2 && current != null && !this.linkClosed
				&& this.handOverPaused.compareAndSet(true, false) && !this.link.rxPaused()) {
			current.setRxPaused(false);
		}
	}

	/**
	 * Pauses the onward stream's reading here, on its own loop, once what is held for the client
	 * reaches {@code proxy_buflen_rxflow_on_above}. The link's loop decides the same only when the
	 * rx handed over reaches it, by which time the connection (a broker's, shared) may have
	 * delivered a whole read of messages more and overflowed the buffer, dropping the stream
	 * instead of pausing it. The link's loop takes the pause over and resumes it.
	 * @param held the bytes held for the client, with those on their way to the link
	 * @return whether the stream was paused
	 */
	private boolean pauseAtTheMark(long held) {
		long on = this.buffers.proxyRxflowOnAbove();
		OnwardStream current = this.stream;
		if (on <= 0 || held < on || current == null || this.linkClosed) {
			return false;
		}
		current.setRxPaused(true);
		return true;
	}

	@Override
	public StreamResult onTx(SecureStream onward, TxSlot slot) {
		// The task that drops them may not have run yet.
		dropStaleTx();
		Queued queuedHead = this.tx.peek();
		if (queuedHead == null || this.linkClosed) {
			return StreamResult.TX_DONT_SEND;
		}
		ToProxy.TxPayload head = queuedHead.payload();
		if (this.txCopier.copyNextPiece(head, slot)) {
			this.tx.poll();
			long queued = this.txQueuedBytes.addAndGet(-head.wireLength());
			head.release();
			if (queued <= this.buffers.effectiveProxyBuflen() / 2) {
				// Decided on the link's loop, where reading was paused, after that pause.
				onLinkLoop(this::resumeIfDrained);
			}
			OnwardStream current = this.stream;
			if (this.txFrames.decrementAndGet() > 0 && current != null) {
				// An MQTT binding publishes one message per onTx call: ask for the next.
				current.requestTx();
			}
		}
		return StreamResult.OK;
	}

	private void resumeIfDrained() {
		if (!this.linkClosed && this.txQueuedBytes.get() <= this.buffers.effectiveProxyBuflen() / 2) {
			this.resumeLinkReads.run();
		}
	}

	/**
	 * Queues a client's payload for the onward stream and asks it to send. Called on the link's
	 * loop.
	 * @param payload the frame, whose reference this handler takes over
	 * @return whether more than {@code proxy_buflen} bytes of client payload are now waiting, so
	 * the link should stop reading until half of them went onward
	 */
	boolean queueTx(ToProxy.TxPayload payload) {
		this.tx.add(new Queued(payload, this.transaction));
		long queued = this.txQueuedBytes.addAndGet(payload.wireLength());
		OnwardStream current = this.stream;
		if (this.txFrames.getAndIncrement() == 0 && current != null) {
			current.requestTx();
		}
		return queued > this.buffers.effectiveProxyBuflen();
	}

	/**
	 * The onward transaction ended (see {@link OnwardHandler#transactionOpen()}): the client's
	 * payload queued so far can no longer go out. It is dropped on the onward stream's loop,
	 * where {@code onTx} may be reading it; payload the client queues for its next transaction
	 * meanwhile stays. Called on the link's loop.
	 */
	void transactionEnded() {
		this.transaction++;
		OnwardStream current = this.stream;
		if (current == null) {
			dropStaleTx();
			return;
		}
		try {
			current.eventLoop().execute(this::dropStaleTx);
		}
		catch (RejectedExecutionException ex) {
			// The onward loop stopped: the link goes too, and drops everything.
			logger.debug("{}: the onward loop stopped; its queued payload goes with the link", this.name);
		}
	}

	/**
	 * Drops the rest of the message an ended transaction was sending, at the head of the queue:
	 * the frame a slot had taken part of, and frames up to the next that starts a message, which
	 * (with those after it) a new transaction carries. On the onward loop.
	 */
	private void dropStaleTx() {
		long current = this.transaction;
		if (this.settled == current) {
			return;
		}
		boolean dropped = false;
		boolean partlyTaken = this.txCopier.started();
		for (Queued head = this.tx.peek(); head != null && head.transaction() < current; head = this.tx.peek()) {
			if (!partlyTaken && StreamFlags.has(head.payload().flags(), StreamFlags.SOM)) {
				break;
			}
			partlyTaken = false;
			this.tx.poll();
			this.txQueuedBytes.addAndGet(-head.payload().wireLength());
			this.txFrames.decrementAndGet();
			head.payload().release();
			dropped = true;
		}
		this.settled = current;
		if (dropped) {
			// The partly copied frame, if any, was the first one dropped.
			this.txCopier.reset();
			onLinkLoop(this::resumeIfDrained);
		}
		OnwardStream onward = this.stream;
		if (this.txFrames.get() > 0 && onward != null) {
			// What is left goes in the next transaction, whose stream may not have been asked for it:
			// the request the first frame made can have been taken by the transaction that ended.
			onward.requestTx();
		}
	}

	/**
	 * The link closed: ignore the stream from now on and drop the client's queued payload, on
	 * the onward stream's loop, where {@code onTx} may be reading it. Called on the link's loop.
	 */
	void linkClosed() {
		this.linkClosed = true;
		this.link.linkClosed();
		OnwardStream current = this.stream;
		if (current == null) {
			dropQueuedTx();
			return;
		}
		try {
			current.eventLoop().execute(this::dropQueuedTx);
		}
		catch (RejectedExecutionException ex) {
			// The onward loop stopped: nothing reads the queue any more.
			dropQueuedTx();
		}
	}

	private void dropQueuedTx() {
		Queued next;
		while ((next = this.tx.poll()) != null) {
			next.payload().release();
		}
		this.txQueuedBytes.set(0);
		this.txCopier.reset();
	}

	/**
	 * A client frame waiting for the onward stream.
	 * @param payload the frame
	 * @param transaction the count of ended transactions when it was queued
	 */
	private record Queued(ToProxy.TxPayload payload, long transaction) {
	}

}
