package io.securestreams.internal;

import io.netty.channel.EventLoop;
import io.securestreams.StreamHandler;
import io.securestreams.StreamRole;
import io.securestreams.policy.StreamTypePolicy;

/**
 * A stream that a protocol binding carries through an {@link AbstractStreamLink}: a client
 * stream's attempts or an accepted server stream. It holds the application's pending request to
 * send, which the binding takes through the link. The request belongs to the stream rather than
 * to a link, since it must outlive a client's failed attempt.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class LinkedStream extends AbstractStream {

	/** Whether {@code requestTx} or {@code requestTxLen} was called and the binding has not sent since. */
	protected boolean txRequested;

	/** The length announced with {@code requestTxLen}, or -1. */
	private long txLength = -1;

	/** Counts announcements, so that a binding forgets only the length its message was sent with. */
	private long txLengthSerial;

	/** Bytes of the current message's announced length not written yet, for bindings that do not count them. */
	private long txOwed = -1;

	/** A length announced while a message was going out through such a binding: the next message's. */
	private long txNextOwed = -1;

	/** Whether such a binding wrote part of a message that has not ended yet. */
	private boolean txMessageOpen;

	/** Whether {@code onTx} runs for such a binding: a length announced meanwhile is the next message's. */
	private boolean txCallback;

	/**
	 * Creates a stream whose states are checked against the local transition table.
	 * @param runtime the context internals
	 * @param policy the streamtype
	 * @param handler the application's handler
	 * @param role the role
	 * @param loop the event loop the stream lives on
	 */
	protected LinkedStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, StreamRole role,
			EventLoop loop) {
		super(runtime, policy, handler, role, loop);
	}

	final boolean txRequested() {
		return this.txRequested;
	}

	final boolean takeTxRequest() {
		boolean requested = this.txRequested;
		this.txRequested = false;
		return requested;
	}

	/**
	 * Records the length announced with {@code requestTxLen} for the next message.
	 * @param length the length
	 */
	protected final void announceTxLength(long length) {
		this.txLength = length;
		// From onTx, the message that call writes is going out, whether it has started yet or not.
		if (this.txMessageOpen || this.txCallback) {
			this.txNextOwed = length;
		}
		else {
			this.txOwed = length;
		}
		this.txLengthSerial++;
	}

	/** Forgets any announced length, for example at the start of a server transaction. */
	protected final void clearTxLength() {
		this.txLength = -1;
		this.txOwed = -1;
		this.txNextOwed = -1;
		this.txMessageOpen = false;
	}

	/**
	 * Forgets the message a connection that ended was sending: its remaining length no longer
	 * counts, and a length announced while it was going out becomes the next message's, as a
	 * connection's per-message state goes with it in libwebsockets. A length announced with no
	 * message under way is kept for the next connection.
	 */
	protected final void abandonTxMessage() {
		if (this.txMessageOpen) {
			this.txOwed = this.txNextOwed;
			this.txNextOwed = -1;
			this.txMessageOpen = false;
		}
	}

	final long txLength() {
		return this.txLength;
	}

	final long txLengthSerial() {
		return this.txLengthSerial;
	}

	final void txLengthConsumed() {
		this.txLength = -1;
	}

	final void txLengthConsumed(long serial) {
		if (serial == this.txLengthSerial) {
			this.txLength = -1;
		}
	}

	final long txOwed() {
		return this.txOwed;
	}

	/**
	 * Marks {@code onTx} running for a binding that does not track the announced length. When it
	 * has returned (and its bytes are counted), a length it announced becomes the one owed unless
	 * a message is still going out, as it would have had the announcement come after the call, as
	 * a client stream's does.
	 * @param running whether the call starts or has ended
	 */
	final void txCallback(boolean running) {
		this.txCallback = running;
		if (!running && !this.txMessageOpen && this.txNextOwed >= 0) {
			this.txOwed = this.txNextOwed;
			this.txNextOwed = -1;
		}
	}

	/**
	 * Counts what a binding that does not track the announced length wrote.
	 * @param length the bytes written
	 * @param eom whether the message ended
	 */
	final void txWritten(int length, boolean eom) {
		long owed = (this.txOwed >= 0) ? Math.max(0, this.txOwed - length) : -1;
		if (eom || owed == 0) {
			this.txOwed = this.txNextOwed;
			this.txNextOwed = -1;
			this.txMessageOpen = false;
		}
		else {
			this.txOwed = owed;
			this.txMessageOpen |= length > 0;
		}
	}

}
