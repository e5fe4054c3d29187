package io.securestreams.server;

import io.securestreams.protocol.StreamLink;

/**
 * The runtime side of one accepted connection, given to a server protocol binding. Besides the
 * {@link StreamLink} calls (states, rx, tx) it carries the state of the current http
 * transaction. {@link #closed(boolean)}, {@link #connectFailed(Throwable)} and
 * {@link #retryLater(long)} all mean the peer is gone: the stream reports DISCONNECTED and is
 * destroyed; accepted streams never reconnect.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface ServerLink extends StreamLink {

	/**
	 * Starts the next transaction of the connection: forgets the previous transaction's
	 * metadata, response status, announced length and tx requests.
	 */
	void newTransaction();

	/**
	 * Returns the status the handler chose for the current transaction's response.
	 * @return the {@code serverAck} status (0 meaning 200), or 404 when it was not called
	 */
	int responseStatus();

	/**
	 * Returns whether the handler asked to send ({@code requestTx} or {@code requestTxLen})
	 * since the current transaction started, whether or not it has been called since.
	 * @return {@code true} once the handler took charge of the response
	 */
	boolean responseRequested();

	/**
	 * Ends this stream without closing its connection (DISCONNECTED, DESTROYING) and carries on
	 * with a new accepted stream on the same connection, taken through CREATING, CONNECTING and
	 * CONNECTED. Used when a kept-alive http connection that already carried transactions is
	 * upgraded to ws: SERVER_TXN cannot be followed by SERVER_UPGRADE on one stream.
	 * @return the link of the new stream; this link goes inert
	 */
	ServerLink handOver();

	/**
	 * Describes the stream and its peer for log lines.
	 * @return for example {@code stream 7 ('myserver') from /127.0.0.1:51234}
	 */
	String describe();

}
