package io.securestreams.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.securestreams.ProtocolLimits;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.Protocol;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import io.securestreams.protocol.CookieJar;

/**
 * What the {@link StreamLink} of every {@link LinkedStream} shares. The stream's identity, loop,
 * metadata, limits and blobs are passed through; the application's send requests, tx, rx and
 * states reach the stream only while {@link #isActive()}, so a binding's late events are
 * ignored, and a DISCONNECT_ME or DESTROY_ME result is acted on before it returns to the
 * binding. A subclass defines when the link is active and what the binding's end-of-connection
 * calls mean (a client backs off and retries, an accepted stream is destroyed).
 *
 * @param <S> the kind of stream the link belongs to
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class AbstractStreamLink<S extends LinkedStream> implements StreamLink {

	/** The stream the binding's events go to. */
	protected final S stream;

	/**
	 * Creates a link to a stream.
	 * @param stream the stream the binding's events go to
	 */
	protected AbstractStreamLink(S stream) {
		this.stream = stream;
	}

	/**
	 * Returns the context internals of the stream.
	 * @return the runtime
	 */
	protected final StreamsRuntime runtime() {
		return this.stream.runtime;
	}

	@Override
	public final long streamId() {
		return this.stream.id();
	}

	@Override
	public final ProtocolLimits limits() {
		return this.stream.runtime.limits();
	}

	@Override
	public final EventLoop eventLoop() {
		return this.stream.eventLoop();
	}

	@Override
	public final MetadataValues metadata() {
		return this.stream.metadataValues();
	}

	@Override
	public final SystemBlobs blobs() {
		return this.stream.runtime.blobs();
	}

	@Override
	public final CookieJar cookies() {
		return this.stream.runtime.cookies();
	}

	@Override
	public final boolean txRequested() {
		return isActive() && this.stream.txRequested();
	}

	@Override
	public final boolean takeTxRequest() {
		return isActive() && this.stream.takeTxRequest();
	}

	@Override
	public final long txLength() {
		return this.stream.txLength();
	}

	@Override
	public final void txLengthConsumed() {
		this.stream.txLengthConsumed();
	}

	@Override
	public final long txLengthSerial() {
		return this.stream.txLengthSerial();
	}

	@Override
	public final void txLengthConsumed(long serial) {
		this.stream.txLengthConsumed(serial);
	}

	@Override
	public final TxResult tx(ByteBuf buffer) {
		long owed = this.stream.txOwed();
		TxResult result;
		this.stream.txCallback(true);
		try {
			result = tx(buffer, owed);
			// Raw has no messages and ignores tx flags: only an announced length makes one, which
			// ends when it is all written. Unannounced bytes (never with EOM there) would otherwise
			// leave a message open for good, and every later requestTxLen would wait behind it.
			boolean raw = policy().protocol() == Protocol.RAW;
			if (!raw || owed >= 0) {
				this.stream.txWritten(result.length(), !raw && StreamFlags.has(result.flags(), StreamFlags.EOM));
			}
		}
		finally {
			this.stream.txCallback(false);
		}
		return result;
	}

	@Override
	public final TxResult tx(ByteBuf buffer, long remaining) {
		if (!isActive()) {
			return TxResult.NOTHING;
		}
		// Being called is what the request asked for, whether or not the binding took it first.
		this.stream.takeTxRequest();
		TxResult result = this.stream.deliverTx(buffer, remaining);
		this.stream.act(result.result());
		return result;
	}

	@Override
	public final StreamResult state(StreamState state) {
		if (!isActive()) {
			return StreamResult.DISCONNECT_ME;
		}
		StreamResult result = closesOnAnyOther(report(state));
		this.stream.act(result);
		return result;
	}

	/**
	 * Reports a state the binding saw to the handler; {@link #state} acts on the result.
	 * @param state the state
	 * @return the handler's result
	 */
	protected StreamResult report(StreamState state) {
		return this.stream.emit(state, 0);
	}

	@Override
	public final StreamResult rx(ByteBuf data, int flags) {
		if (!isActive()) {
			return StreamResult.DISCONNECT_ME;
		}
		StreamResult result = closesOnAnyOther(this.stream.deliverRx(data, flags));
		this.stream.act(result);
		return result;
	}

	// TX_DONT_SEND only means something from onTx; from onRx or onState libwebsockets treats
	// every result other than OK and DESTROY_ME as "close the connection" (reference section 2).
	private static StreamResult closesOnAnyOther(StreamResult result) {
		return (result == StreamResult.TX_DONT_SEND) ? StreamResult.DISCONNECT_ME : result;
	}

}
