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
	protected long txLength = -1;

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

	final long txLength() {
		return this.txLength;
	}

	final void txLengthConsumed() {
		this.txLength = -1;
	}

}
