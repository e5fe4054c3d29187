package io.securestreams;

import java.nio.ByteBuffer;

/**
 * Receives a stream's states and payload, and supplies payload to send. The three callbacks
 * mirror libwebsockets' {@code state()}, {@code rx()} and {@code tx()}.
 * <p>
 * Threading: callbacks of one stream never run concurrently; they run on the stream's event loop
 * thread (only {@code CREATING} runs on the thread that calls
 * {@link SecureStreams#create(String, StreamHandler)}). Callbacks must not block.
 * <p>
 * Buffer lifetime: the {@code payload} given to {@link #onRx} and the buffer of the
 * {@link TxSlot} given to {@link #onTx} are valid only until the callback returns; copy what you
 * need to keep.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface StreamHandler {

	/**
	 * Called when the stream's connection state changes.
	 * @param stream the stream
	 * @param state the new state
	 * @param ack a state-specific argument: the milliseconds spent for UPSTREAM_LINK_RETRY, the
	 * number of sources already served for SINK_JOIN, a proxy's value for a proxied stream; 0
	 * otherwise, UNREACHABLE included (libwebsockets passes 1 there when its resolver could not
	 * reach a DNS server, which the JDK's resolver does not tell apart from an unknown name)
	 * @return {@link StreamResult#OK}, or {@link StreamResult#DISCONNECT_ME} /
	 * {@link StreamResult#DESTROY_ME}
	 */
	default StreamResult onState(SecureStream stream, StreamState state, long ack) {
		return StreamResult.OK;
	}

	/**
	 * Called with received payload.
	 * @param stream the stream
	 * @param payload a read-only buffer, valid only during the call; may be empty (for example an
	 * http transaction's final EOM)
	 * @param flags {@link StreamFlags} such as SOM and EOM
	 * @return {@link StreamResult#OK}, or {@link StreamResult#DISCONNECT_ME} /
	 * {@link StreamResult#DESTROY_ME}
	 */
	default StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		return StreamResult.OK;
	}

	/**
	 * Called when the stream may send, after {@link SecureStream#requestTx()}.
	 * @param stream the stream
	 * @param slot where to write the payload and its flags
	 * @return {@link StreamResult#OK} to send what was written, {@link StreamResult#TX_DONT_SEND}
	 * to send nothing, or {@link StreamResult#DISCONNECT_ME} / {@link StreamResult#DESTROY_ME}
	 */
	default StreamResult onTx(SecureStream stream, TxSlot slot) {
		return StreamResult.TX_DONT_SEND;
	}

}
