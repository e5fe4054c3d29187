package io.securestreams.protocol;

import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;

/**
 * The runtime's handle on one connection a protocol binding made. Called on the stream's
 * event loop only.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface ProtocolConnection {

	/**
	 * The application asked to send ({@code requestTx} or {@code requestTxLen}); the binding
	 * calls {@link StreamLink#tx} when the protocol and the socket allow.
	 */
	void requestWrite();

	/**
	 * Closes the connection. The binding then reports {@link StreamLink#closed(boolean)} as usual.
	 */
	void close();

	/**
	 * Returns the peer's address.
	 * @return the peer, or {@code null} before the socket is connected
	 */
	@Nullable SocketAddress peerAddress();

	/**
	 * Returns whether the connection is open but carries no transaction, so that a tx request
	 * would start the next one on it (an http connection kept alive between transactions).
	 * @return {@code true} when idle between transactions
	 */
	default boolean isIdle() {
		return false;
	}

	/**
	 * Stops or resumes reading from the peer (flow control, used by the proxy).
	 * @param paused {@code true} to stop reading
	 */
	default void setRxPaused(boolean paused) {
	}

	/**
	 * The application confirmed the connection is alive; postpone validity pings.
	 */
	default void validityConfirmed() {
	}

	/**
	 * The application granted the peer more credit to send on this stream
	 * ({@link io.securestreams.SecureStream#addPeerTxCredit}). Only a binding with a receive
	 * window of its own per stream (h2) acts on it; the others ignore it, as libwebsockets does.
	 * @param delta the bytes granted, positive
	 */
	default void addPeerTxCredit(int delta) {
	}

	/**
	 * Returns what the peer may still send on this stream by the credit the application granted
	 * ({@link io.securestreams.SecureStream#estimatedPeerTxCredit}); called from any thread.
	 * @return the bytes, or 0 when the binding has no receive window of its own per stream
	 */
	default int estimatedPeerTxCredit() {
		return 0;
	}

}
