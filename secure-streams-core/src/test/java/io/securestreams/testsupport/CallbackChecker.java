package io.securestreams.testsupport;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;

/**
 * A handler that checks the threading promises of docs/streams.md while it records: no two
 * callbacks of one stream overlap, and nothing comes after DESTROYING. Subclasses add behaviour
 * in {@link #state}, {@link #rx} and {@link #tx}, which run inside the checked section.
 * One checker serves one stream.
 */
public class CallbackChecker implements StreamHandler {

	public final List<StreamState> states = new CopyOnWriteArrayList<>();

	public final List<String> problems = new CopyOnWriteArrayList<>();

	public final AtomicInteger txCalls = new AtomicInteger();

	private final AtomicInteger inside = new AtomicInteger();

	private volatile boolean destroying;

	private void enter(String what) {
		if (this.inside.incrementAndGet() != 1) {
			this.problems.add(what + " overlapped another callback on " + Thread.currentThread().getName());
		}
		if (this.destroying) {
			this.problems.add(what + " after DESTROYING");
		}
	}

	private void leave() {
		this.inside.decrementAndGet();
	}

	@Override
	public final StreamResult onState(SecureStream stream, StreamState state, long ack) {
		enter("onState(" + state + ")");
		try {
			this.states.add(state);
			if (state == StreamState.DESTROYING) {
				this.destroying = true;
			}
			return state(stream, state);
		}
		finally {
			leave();
		}
	}

	@Override
	public final StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		enter("onRx");
		try {
			return rx(stream, payload, flags);
		}
		finally {
			leave();
		}
	}

	@Override
	public final StreamResult onTx(SecureStream stream, TxSlot slot) {
		enter("onTx");
		try {
			this.txCalls.incrementAndGet();
			return tx(stream, slot);
		}
		finally {
			leave();
		}
	}

	protected StreamResult state(SecureStream stream, StreamState state) {
		return StreamResult.OK;
	}

	protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
		return StreamResult.OK;
	}

	protected StreamResult tx(SecureStream stream, TxSlot slot) {
		return StreamResult.TX_DONT_SEND;
	}

	/**
	 * Returns whether DESTROYING was reported.
	 * @return {@code true} after DESTROYING
	 */
	public boolean destroyed() {
		return this.destroying;
	}

}
