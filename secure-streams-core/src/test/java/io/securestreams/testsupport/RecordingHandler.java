package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;

import org.awaitility.Awaitility;

/**
 * A handler that records everything it is given, optionally sends a body, and lets a test
 * choose the result of each state callback.
 */
public class RecordingHandler implements StreamHandler {

	public final List<StreamState> states = new CopyOnWriteArrayList<>();

	public final List<Long> stateTimesNanos = new CopyOnWriteArrayList<>();

	public final List<Integer> rxFlags = new CopyOnWriteArrayList<>();

	public final List<String> threads = new CopyOnWriteArrayList<>();

	private volatile long rxDelayNanos;

	private final ByteArrayOutputStream rx = new ByteArrayOutputStream();

	private volatile BiFunction<SecureStream, StreamState, StreamResult> stateReaction = (s, st) -> StreamResult.OK;

	private volatile byte[] body = new byte[0];

	private volatile int chunk = 1000;

	private int sent;

	private volatile boolean sending;

	/**
	 * Chooses what each state callback returns.
	 * @param reaction the reaction
	 * @return this handler
	 */
	public RecordingHandler onState(BiFunction<SecureStream, StreamState, StreamResult> reaction) {
		this.stateReaction = reaction;
		return this;
	}

	/**
	 * Makes {@code onTx} send {@code body} in pieces of at most {@code chunk} bytes, SOM on the
	 * first and EOM on the last.
	 * @param body the body
	 * @param chunk the largest piece
	 * @return this handler
	 */
	public RecordingHandler send(byte[] body, int chunk) {
		this.body = body;
		this.chunk = chunk;
		this.sent = 0;
		this.sending = true;
		return this;
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		this.states.add(state);
		this.stateTimesNanos.add(System.nanoTime());
		this.threads.add(Thread.currentThread().getName());
		return this.stateReaction.apply(stream, state);
	}

	/**
	 * Makes each later rx callback take this long first, as a client slower than its server is.
	 * @param delay the time each rx takes; zero for none
	 * @return this handler
	 */
	public RecordingHandler slowRx(Duration delay) {
		this.rxDelayNanos = delay.toNanos();
		return this;
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		long delay = this.rxDelayNanos;
		if (delay > 0) {
			LockSupport.parkNanos(delay);
		}
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		synchronized (this.rx) {
			this.rx.write(bytes, 0, bytes.length);
		}
		this.rxFlags.add(flags);
		return StreamResult.OK;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		if (!this.sending) {
			return StreamResult.TX_DONT_SEND;
		}
		int length = Math.min(Math.min(this.chunk, slot.capacity()), this.body.length - this.sent);
		slot.buffer().put(this.body, this.sent, length);
		int flags = (this.sent == 0) ? StreamFlags.SOM : 0;
		this.sent += length;
		if (this.sent == this.body.length) {
			flags |= StreamFlags.EOM;
			this.sending = false;
		}
		slot.flags(flags);
		return StreamResult.OK;
	}

	/**
	 * Returns the bytes received so far.
	 * @return a copy
	 */
	public byte[] received() {
		synchronized (this.rx) {
			return this.rx.toByteArray();
		}
	}

	/**
	 * Returns the state names seen so far.
	 * @return the names in order
	 */
	public List<String> stateNames() {
		List<String> names = new ArrayList<>();
		for (StreamState state : this.states) {
			names.add(state.name());
		}
		return names;
	}

	/**
	 * Waits for a state.
	 * @param state the state
	 * @param timeout the most to wait
	 */
	public void await(StreamState state, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> this.states.contains(state));
	}

	/**
	 * Waits until a state has been seen {@code count} times.
	 * @param state the state
	 * @param count how many times
	 * @param timeout the most to wait
	 */
	public void await(StreamState state, int count, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> this.states.stream().filter(state::equals).count() >= count);
	}

}
