package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import io.netty.buffer.ByteBufAllocator;
import io.securestreams.SecureStream;
import io.securestreams.StateTransitions;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.internal.OnwardStream;
import io.securestreams.policy.BufferSettings;
import io.securestreams.proxy.wire.RxPayloadRun;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a proxy's onward stream: forwards its states (only sequences the proxied
 * client's transition table accepts) and its rx as frames of at most
 * {@value SsWire#MAX_RX_PAYLOAD} bytes, feeds it the client's TX_PAYLOAD frames, and applies
 * rx flow control with the streamtype's {@code proxy_buflen*} settings. Runs on the link's loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class OnwardHandler implements StreamHandler {

	private static final Logger logger = LoggerFactory.getLogger(OnwardHandler.class);

	private static final int RX_FLAGS = StreamFlags.SOM | StreamFlags.EOM | StreamFlags.POLL
			| StreamFlags.RELATED_START | StreamFlags.RELATED_END;

	private final String name;

	private final LinkOutbox outbox;

	private final ByteBufAllocator allocator;

	private final BufferSettings buffers;

	private final Runnable resumeLinkReads;

	private final Runnable onwardGone;

	private final boolean transactional;

	private final ArrayDeque<ToProxy.TxPayload> tx = new ArrayDeque<>();

	private @Nullable OnwardStream stream;

	private @Nullable StreamState lastForwarded;

	private boolean linkClosed;

	// Whether the client may send payload: from a forwarded CONNECTED to the end of the onward
	// transaction (the client's OPERATIONAL state, reference §7.5).
	private boolean txOpen;

	// Whether onTx took any client payload since the transaction's CONNECTED.
	private boolean takenInTransaction;

	// Whether the client's frames so far left a message open (SOM seen, EOM not yet).
	private boolean clientMessageOpen;

	// Whether a message started while the current transaction was open.
	private boolean messageInTransaction;

	// An http transaction ended before any of its body came: the client's next message is that body.
	private boolean bodyOwedToEndedTransaction;

	// What else holds the client's payload (the cross-loop queue), told when the transaction ends.
	private @Nullable Runnable txEnded;

	private volatile boolean rxPaused;

	// The client's frames waiting for onTx, counted as they came on the wire, headers included:
	// by payload alone, frames without payload counted nothing and queued without end.
	private long txQueuedBytes;

	// Set once rx was dropped as "proxy buffer full", until the onward stream's next state: rx
	// handed over from another event loop before the disconnect took effect is dropped with it,
	// and counted for one line instead of a warning each.
	private boolean droppingRx;

	private int droppedMessages;

	private long droppedBytes;

	private final TxFrameCopier txCopier = new TxFrameCopier();

	/**
	 * Creates the handler of an onward stream.
	 * @param name describes the link, for log lines
	 * @param outbox what the link sends to its client
	 * @param allocator allocates RX_PAYLOAD buffers
	 * @param buffers the streamtype's buffer settings
	 * @param resumeLinkReads resumes reading the link once queued client payload went onward
	 * @param onwardGone closes the link when the runtime destroyed the onward stream
	 * @param transactional whether a tx request starts a transaction (http): then a new request
	 * is only made after a message's EOM, since the binding takes the body without one
	 */
	OnwardHandler(String name, LinkOutbox outbox, ByteBufAllocator allocator, BufferSettings buffers,
			Runnable resumeLinkReads, Runnable onwardGone, boolean transactional) {
		this.name = name;
		this.transactional = transactional;
		this.onwardGone = onwardGone;
		this.resumeLinkReads = resumeLinkReads;
		this.outbox = outbox;
		this.allocator = allocator;
		this.buffers = buffers;
	}

	void stream(OnwardStream onward) {
		this.stream = onward;
	}

	@Override
	public StreamResult onState(SecureStream onward, StreamState state, long ack) {
		if (this.linkClosed || state == StreamState.EVENT_WAIT_CANCELLED) {
			return StreamResult.OK;
		}
		if (this.droppingRx) {
			endRxDrop();
		}
		if (state == StreamState.DESTROYING) {
			// Destroyed by the runtime (a context shutdown, a policy without the streamtype), not by
			// the link closing: the link has nothing left to carry.
			this.onwardGone.run();
			return StreamResult.OK;
		}
		if (state == StreamState.DISCONNECTED && this.lastForwarded == StreamState.DISCONNECTED) {
			// The kept-alive connection of an http transaction the client already saw end went away.
			return StreamResult.OK;
		}
		StateTransitions table = StateTransitions.PROXIED_CLIENT;
		if (!table.isAllowed(this.lastForwarded, state)) {
			// POLL is advisory. A QoS outcome of a streamtype whose stream carries several messages
			// (MQTT) after a NACK, or a NACK after an ACK, is expected and held back (docs/proxy.md);
			// anything else would be a runtime bug the client must not see.
			if (isOutcome(state) && isOutcome(this.lastForwarded)) {
				logger.info("{}: not forwarding {} after {}: the proxied client's table forbids it", this.name, state,
						this.lastForwarded);
			}
			else if (state != StreamState.POLL) {
				logger.error("{}: not forwarding {} after {}: the proxied client's table forbids it", this.name, state,
						this.lastForwarded);
			}
			return StreamResult.OK;
		}
		forward(state, ack);
		if (this.transactional && (state == StreamState.QOS_ACK_REMOTE || state == StreamState.QOS_NACK_REMOTE)) {
			// The C proxy closes an http connection after each transaction, so its client expects
			// DISCONNECTED now (and its table forbids the CONNECTING of a next transaction right
			// after the ack). We keep the onward connection for the next transaction and tell the
			// client what it expects; the real close, when it comes, is not forwarded again.
			forward(StreamState.DISCONNECTED, 0);
		}
		return StreamResult.OK;
	}

	private void endRxDrop() {
		if (this.droppedMessages > 0) {
			logger.info("{}: {} more received pieces ({} bytes) that arrived before the disconnect took effect were "
					+ "dropped too", this.name, this.droppedMessages, this.droppedBytes);
		}
		this.droppingRx = false;
		this.droppedMessages = 0;
		this.droppedBytes = 0;
	}

	private static boolean isOutcome(@Nullable StreamState state) {
		return state == StreamState.QOS_ACK_REMOTE || state == StreamState.QOS_NACK_REMOTE;
	}

	private void forward(StreamState state, long ack) {
		if (!StateTransitions.PROXIED_CLIENT.bypasses(state)) {
			this.lastForwarded = state;
		}
		this.outbox.fifo(new ToClient.ConnState(state.value(), ack));
		if (state == StreamState.CONNECTED) {
			this.txOpen = true;
			this.messageInTransaction = false;
			this.bodyOwedToEndedTransaction = false;
		}
		else if (state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE
				|| state == StreamState.AUTH_FAILED) {
			transactionEnded();
		}
	}

	/**
	 * The client goes back to LOCAL_CONNECTED on these states and sends payload again only after
	 * the next CONNECTED, for a new transaction: what it sent for this one can no longer go out.
	 * Kept, it stayed queued with the link's reads paused for good when it had filled the buffer,
	 * and a later transaction would have sent it (or the half a slot had taken) as its body.
	 */
	private void transactionEnded() {
		this.txOpen = false;
		long before = this.txQueuedBytes;
		dropUnfinishedMessage();
		if (this.txQueuedBytes < before) {
			logger.debug("{}: dropped {} bytes of frames of a client message the onward transaction did not finish",
					this.name, before - this.txQueuedBytes);
		}
		this.takenInTransaction = false;
		this.bodyOwedToEndedTransaction = this.transactional && !this.messageInTransaction;
		this.messageInTransaction = false;
		if (!this.tx.isEmpty() && !this.linkClosed && this.stream != null) {
			// Whole messages the client sent after the one that ended, before it saw the end: they
			// go in a new transaction, as libwebsockets' proxy sends what its buffer holds.
			this.txOpen = true;
			this.messageInTransaction = true;
			this.stream.requestTx();
		}
		if (this.txEnded != null) {
			this.txEnded.run();
		}
		if (!this.linkClosed) {
			this.resumeLinkReads.run();
		}
	}

	/**
	 * Drops the queued rest of the message the ended transaction was sending: the frame a slot
	 * had taken part of, and frames up to the next that starts a message. An http transaction
	 * that ended before its body started takes its first message with it: the server answered
	 * without it.
	 */
	private void dropUnfinishedMessage() {
		boolean partlyTaken = this.txCopier.started();
		boolean unsentBody = this.transactional && !this.takenInTransaction;
		for (ToProxy.TxPayload head = this.tx.peek(); head != null; head = this.tx.peek()) {
			boolean som = StreamFlags.has(head.flags(), StreamFlags.SOM);
			if (som && !partlyTaken && !unsentBody) {
				break;
			}
			partlyTaken = false;
			unsentBody &= !StreamFlags.has(head.flags(), StreamFlags.EOM);
			this.tx.poll();
			this.txQueuedBytes -= head.wireLength();
			head.release();
		}
		this.txCopier.reset();
	}

	/**
	 * Sets what else to tell when the onward transaction ends.
	 * @param hook run on the link's loop after this handler dropped its queued payload
	 */
	void onTransactionEnd(Runnable hook) {
		this.txEnded = hook;
	}

	/**
	 * Returns whether an onward transaction is open, so that the client's payload has somewhere
	 * to go. Called on the link's loop.
	 * @return {@code true} from a forwarded CONNECTED until DISCONNECTED, UNREACHABLE or
	 * AUTH_FAILED
	 */
	boolean transactionOpen() {
		return this.txOpen && !this.linkClosed;
	}

	/**
	 * Decides whether a client TX_PAYLOAD frame goes onward. While a transaction is open it does.
	 * After it ended, frames the client sent before it learnt so are dropped when they are the
	 * rest of a message the transaction was carrying, or the body of an http transaction that
	 * ended before its body came (a server answering an upload at once): sent onward, they would
	 * start a new connection with a stale body. A whole new message, sent after one the
	 * transaction carried, opens a new transaction, as libwebsockets' proxy sends what its buffer
	 * holds. Called on the link's loop.
	 * @param flags the frame's flags
	 * @return {@code true} to queue the frame for the onward stream
	 */
	boolean admit(int flags) {
		boolean som = StreamFlags.has(flags, StreamFlags.SOM);
		boolean continues = this.clientMessageOpen;
		this.clientMessageOpen = !StreamFlags.has(flags, StreamFlags.EOM) && (continues || som);
		if (this.linkClosed) {
			return false;
		}
		if (!this.txOpen) {
			if (continues || !som || this.bodyOwedToEndedTransaction) {
				this.bodyOwedToEndedTransaction &= continues || !som;
				return false;
			}
			this.txOpen = true;
		}
		this.messageInTransaction |= som;
		return true;
	}

	@Override
	public StreamResult onRx(SecureStream onward, ByteBuffer payload, int flags) {
		if (this.linkClosed) {
			return StreamResult.DISCONNECT_ME;
		}
		if (StreamFlags.has(flags, StreamFlags.PERF_JSON)) {
			byte[] json = new byte[payload.remaining()];
			payload.get(json);
			if (json.length > 0) {
				this.outbox.perf(new ToClient.Perf(json));
			}
			return StreamResult.OK;
		}
		int total = payload.remaining();
		if (this.droppingRx) {
			this.droppedMessages++;
			this.droppedBytes += total;
			return StreamResult.DISCONNECT_ME;
		}
		long needed = RxPayloadRun.wireLength(total);
		long buffered = this.outbox.bufferedBytes();
		long limit = this.buffers.effectiveProxyBuflen();
		if (buffered + needed > limit && this.outbox.unsentBytes() > 0) {
			// Frames of earlier reads in this event-loop run wait for the flush at its end; only
			// what the client has not taken once they are written makes the buffer full.
			this.outbox.flush();
			buffered = this.outbox.bufferedBytes();
		}
		if (buffered + needed > limit && !fitsAlone(buffered, needed, limit)) {
			logger.warn("{}: proxy buffer full ({} of {} bytes held, {} more arrived); dropping them and "
					+ "disconnecting the onward stream", this.name, buffered, limit, total);
			this.droppingRx = true;
			return StreamResult.DISCONNECT_ME;
		}
		this.outbox.fifo(RxPayloadRun.encode(this.allocator, payload, flags & RX_FLAGS, System.nanoTime() / 1000));
		if (this.outbox.unsentBytes() >= limit / 2) {
			// A connection read several times in one event-loop run (a burst of ws messages, a
			// broker's messages handed over from its loop) would otherwise fill the buffer with
			// frames the socket could take, and drop the stream while its client reads promptly.
			this.outbox.flush();
		}
		checkRxFlow();
		return StreamResult.OK;
	}

	// A delivery larger than the whole buffer (a ws frame comes whole, up to the binding's frame
	// limit) could never fit, and is in memory already: with rx flow control on, once the client
	// has taken what came before (the buffer below the resume mark) it is queued and reads pause
	// behind it, where dropping it would disconnect a stream whose client reads promptly.
	private boolean fitsAlone(long buffered, long needed, long limit) {
		return needed > limit && this.buffers.proxyRxflowOnAbove() > 0
				&& buffered < Math.max(1, this.buffers.proxyRxflowOffBelow());
	}

	@Override
	public StreamResult onTx(SecureStream onward, TxSlot slot) {
		ToProxy.TxPayload head = this.tx.peek();
		if (head == null || this.linkClosed) {
			return StreamResult.TX_DONT_SEND;
		}
		this.takenInTransaction = true;
		if (this.txCopier.copyNextPiece(head, slot)) {
			this.tx.poll();
			this.txQueuedBytes -= head.wireLength();
			head.release();
			if (this.txQueuedBytes <= this.buffers.effectiveProxyBuflen() / 2) {
				this.resumeLinkReads.run();
			}
			if (!this.tx.isEmpty() && this.stream != null
					&& (!this.transactional || StreamFlags.has(head.flags(), StreamFlags.EOM))) {
				// Bindings stop calling onTx after a write (raw), a message (ws, MQTT) or a body (http):
				// ask for the next one. A request in the middle of an http body would start another.
				this.stream.requestTx();
			}
		}
		return StreamResult.OK;
	}

	/**
	 * Queues a client's payload for the onward stream and asks it to send.
	 * @param payload the frame, whose reference this handler takes over
	 * @return whether more than {@code proxy_buflen} bytes of client payload are now waiting, so
	 * the link should stop reading until {@code onTx} took half of them
	 */
	boolean queueTx(ToProxy.TxPayload payload) {
		boolean wasEmpty = this.tx.isEmpty();
		this.tx.add(payload);
		this.txQueuedBytes += payload.wireLength();
		// The binding keeps calling onTx until it gets TX_DONT_SEND, so only an empty queue needs a
		// new request; a request with nothing left to take would start another transaction.
		if (wasEmpty && this.stream != null) {
			this.stream.requestTx();
		}
		return this.txQueuedBytes > this.buffers.effectiveProxyBuflen();
	}

	/**
	 * Pauses reading from the onward connection when the bytes held for the client reach
	 * {@code proxy_buflen_rxflow_on_above}, and resumes below {@code proxy_buflen_rxflow_off_below}.
	 */
	void checkRxFlow() {
		long on = this.buffers.proxyRxflowOnAbove();
		OnwardStream onward = this.stream;
		if (on <= 0 || onward == null || this.linkClosed) {
			return;
		}
		long buffered = this.outbox.bufferedBytes();
		if (!this.rxPaused && buffered >= on) {
			this.rxPaused = true;
			onward.setRxPaused(true);
		}
		else if (this.rxPaused && buffered < Math.max(1, this.buffers.proxyRxflowOffBelow())) {
			this.rxPaused = false;
			onward.setRxPaused(false);
		}
	}

	/**
	 * The onward stream was paused on its own loop at the rx flow mark (see
	 * {@link CrossLoopOnward}): the pause is this handler's to resume, now if the client has
	 * already taken enough, else when it does.
	 */
	void onwardPaused() {
		this.rxPaused = true;
		checkRxFlow();
	}

	boolean rxPaused() {
		return this.rxPaused;
	}

	/**
	 * The link closed: drop the client's queued payload and ignore the stream from now on.
	 */
	void linkClosed() {
		this.linkClosed = true;
		dropQueuedTx();
	}

	private void dropQueuedTx() {
		this.tx.forEach(ToProxy.TxPayload::release);
		this.tx.clear();
		this.txQueuedBytes = 0;
		this.txCopier.reset();
	}

}
