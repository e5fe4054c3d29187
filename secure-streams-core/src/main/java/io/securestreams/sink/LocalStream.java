package io.securestreams.sink;

import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.internal.InProcessStream;
import io.securestreams.internal.OnwardStream;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;

/**
 * One side of a local sink pair: the application's source stream ({@link StreamRole#CLIENT}) or
 * the sink's accepted stream ({@link StreamRole#ACCEPTED}), both on one event loop. Each
 * {@code requestTx} gives the handler one {@code onTx}; what it writes reaches the peer's
 * {@code onRx} in a following event-loop task, with the same flags. When a pair ends (either side
 * destroyed or disconnected, or the sink unregistered) both sides see DISCONNECTED and the sink
 * side is destroyed, as an accepted stream is when its peer goes; a source asked to send again
 * joins the sink anew.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class LocalStream extends InProcessStream implements OnwardStream {

	/** Most bytes one {@code onTx} may write. */
	static final int TX_CHUNK = 16 * 1024;

	private final LocalSinks sinks;

	private final boolean sink;

	private @Nullable LocalStream peer;

	private @Nullable SinkRegistration registration;

	private boolean txRequested;

	// What is left of the announced length of the message going out (or to go out next), or -1.
	private long txLength = -1;

	// A length announced while a message was going out: the next message's, or -1.
	private long txNextLength = -1;

	// Part of a message went out and it has not ended (EOM, or all of its announced length) yet.
	private boolean txMessageOpen;

	// A proxy's flow control on a source whose client does not read: the sink's sends wait.
	private boolean rxPaused;

	LocalStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, boolean sink, EventLoop loop,
			LocalSinks sinks) {
		super(runtime, policy, handler, sink ? StreamRole.ACCEPTED : StreamRole.CLIENT, loop);
		this.sinks = sinks;
		this.sink = sink;
	}

	void pairWith(@Nullable LocalStream other) {
		this.peer = other;
	}

	void servedBy(SinkRegistration served) {
		this.registration = served;
	}

	/** Reports CONNECTING and CONNECTED on the loop, after CREATING. */
	void start() {
		execute(this::connected);
	}

	/**
	 * Connects a new pair in one event-loop task, the sink first, so that what the sink's
	 * handler does on CONNECTED reaches this source only after the source's own CONNECTED.
	 * @param sinkSide the sink stream paired with this source
	 */
	void startPair(LocalStream sinkSide) {
		execute(() -> {
			if (!sinkSide.isDestroyed()) {
				sinkSide.connected();
			}
			connected();
		});
	}

	/** Reports CONNECTING then CONNECTED, then sends what was asked before; runs on the loop. */
	void connected() {
		if (actOnStateOrRx(emit(StreamState.CONNECTING, 0))) {
			return;
		}
		if (this.peer == null) {
			// The other side went before this one connected.
			actOnStateOrRx(emit(StreamState.UNREACHABLE, 0));
			return;
		}
		if (!actOnStateOrRx(emit(StreamState.CONNECTED, 0))) {
			send();
		}
	}

	@Override
	public void requestTx() {
		execute(() -> {
			this.txRequested = true;
			send();
		});
	}

	@Override
	public void requestTxLen(long length) {
		if (length < 0) {
			throw new IllegalArgumentException("length must not be negative");
		}
		execute(() -> {
			// As on every protocol: announced while a message goes out, it is the next message's,
			// and neither that message's length nor its count changes.
			if (this.txMessageOpen) {
				this.txNextLength = length;
			}
			else {
				this.txLength = length;
			}
			this.txRequested = true;
			send();
		});
	}

	@Override
	public void connect() {
		execute(() -> {
			if (this.peer == null && !this.sink) {
				rejoin();
			}
		});
	}

	private void send() {
		if (this.peer == null) {
			if (!this.sink && this.txRequested) {
				rejoin();
			}
			return;
		}
		if (!this.txRequested || !danglingConnected() || this.peer.rxPaused) {
			return;
		}
		this.txRequested = false;
		int capacity = (this.txLength >= 0) ? (int) Math.min(TX_CHUNK, this.txLength) : TX_CHUNK;
		ByteBuf buffer = PooledByteBufAllocator.DEFAULT.heapBuffer(capacity, capacity);
		TxResult result = deliverTx(buffer, this.txLength);
		if (!result.send()) {
			buffer.release();
			act(result.result());
			return;
		}
		written(result.length(), StreamFlags.has(result.flags(), StreamFlags.EOM));
		LocalStream receiver = this.peer;
		receiver.executeOr(() -> receiver.receive(buffer, result.flags(), this), buffer::release);
	}

	// Counts what one onTx wrote down from the message's announced length; the message ends with
	// EOM or once all of that length is written.
	private void written(int length, boolean eom) {
		long owed = (this.txLength >= 0) ? Math.max(0, this.txLength - length) : -1;
		if (eom || owed == 0) {
			endTxMessage();
		}
		else {
			this.txLength = owed;
			this.txMessageOpen |= length > 0;
		}
	}

	// The next message's length, if one was announced while this one went out, becomes the one owed.
	private void endTxMessage() {
		this.txLength = this.txNextLength;
		this.txNextLength = -1;
		this.txMessageOpen = false;
	}

	// A pair that ends takes the message going out with it, as a connection does: what is left of
	// its length no longer counts, and a length announced meanwhile is the next message's.
	private void abandonTxMessage() {
		if (this.txMessageOpen) {
			endTxMessage();
		}
	}

	private void receive(ByteBuf payload, int flags, LocalStream sender) {
		try {
			// Payload the old peer sent before this side disconnected (or rejoined) is not delivered.
			if (this.peer == sender) {
				actOnStateOrRx(deliverRx(payload, flags));
			}
		}
		finally {
			payload.release();
		}
	}

	/** A source whose pair ended joins the sink again: CONNECTING, then CONNECTED or UNREACHABLE. */
	private void rejoin() {
		if (actOnStateOrRx(emit(StreamState.CONNECTING, 0))) {
			return;
		}
		LocalStream other = this.sinks.pair(this, this.policy);
		if (other == null) {
			actOnStateOrRx(emit(StreamState.UNREACHABLE, 0));
			return;
		}
		other.start();
		execute(() -> {
			if (!actOnStateOrRx(emit(StreamState.CONNECTED, 0))) {
				send();
			}
		});
	}

	/**
	 * Returns whether the streamtype is still served by a local sink: a pair whose streamtype now
	 * goes to the network must not go on talking to the sink.
	 * @param changed the streamtype's new policy
	 * @return {@code true} for a local sink streamtype
	 */
	@Override
	public boolean canFollow(StreamTypePolicy changed) {
		return changed.localSink();
	}

	@Override
	public void onwardConnect() {
		connect();
	}

	@Override
	public void setRxPaused(boolean paused) {
		execute(() -> {
			this.rxPaused = paused;
			LocalStream other = this.peer;
			if (!paused && other != null) {
				other.send();
			}
		});
	}

	@Override
	public void disconnectLater() {
		execute(this::disconnect);
	}

	@Override
	public void observeReceivedMetadata(@Nullable BiConsumer<String, byte[]> observer) {
		// A local pair has no peer headers to pass on.
	}

	@Override
	public void observeTxCredit(@Nullable IntConsumer observer) {
		// A local pair has no flow-control credit to report.
	}

	@Override
	protected void disconnect() {
		LocalStream other = this.peer;
		this.peer = null;
		if (other == null) {
			return;
		}
		abandonTxMessage();
		other.gone(this);
		if (this.sink) {
			destroyLater();
		}
		else {
			destroyIfAsked(emit(StreamState.DISCONNECTED, 0));
		}
	}

	// The pair is gone, so of a DISCONNECTED callback's results only DESTROY_ME has anything
	// left to act on (reference section 2), as for a client stream that lost its connection.
	private void destroyIfAsked(StreamResult result) {
		if (result == StreamResult.DESTROY_ME) {
			destroyLater();
		}
	}

	/** Tells this side, on its loop, that {@code from} went. */
	private void gone(LocalStream from) {
		execute(() -> peerGone(from));
	}

	/** The other side went: DISCONNECTED; a sink stream is then destroyed. */
	private void peerGone(LocalStream from) {
		if (this.peer != from) {
			// A pair that already ended, or was replaced by a rejoin.
			return;
		}
		this.peer = null;
		abandonTxMessage();
		if (this.sink) {
			destroyNow();
		}
		else if (danglingConnected()) {
			destroyIfAsked(emit(StreamState.DISCONNECTED, 0));
		}
	}

	@Override
	protected void releaseResources() {
		LocalStream other = this.peer;
		this.peer = null;
		if (other != null) {
			other.gone(this);
		}
		SinkRegistration served = this.registration;
		if (served != null) {
			served.parted(this);
		}
	}

}
