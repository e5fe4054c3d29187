package io.securestreams;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A handle on one secure stream. Every method may be called from any thread; actions are
 * carried out in order on the stream's event loop, after any callback in progress returns.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface SecureStream {

	/**
	 * Returns the stream's id, unique within its context.
	 * @return the id
	 */
	long id();

	/**
	 * Returns the streamtype name.
	 * @return the streamtype
	 */
	String streamType();

	/**
	 * Returns the streamtype whose payload {@code onTx} is now asked for (the
	 * {@code lws_ss_rideshare} counterpart). An http client stream whose streamtype names a
	 * {@code rideshare} chain sends one request body in parts: first its own streamtype's, then
	 * each rideshare streamtype's, each part ending with an EOM; in {@code onTx} this says which
	 * part is being filled. Every other stream, and a proxied client's stream, returns its own
	 * streamtype.
	 * @return the streamtype name
	 */
	default String rideshare() {
		return streamType();
	}

	/**
	 * Returns what kind of stream this is.
	 * @return the role
	 */
	StreamRole role();

	/**
	 * Returns the last state reported to the handler.
	 * @return the state, {@code null} before CREATING
	 */
	@Nullable StreamState state();

	/**
	 * Returns the handler the callbacks go to.
	 * @return the handler
	 */
	StreamHandler handler();

	/**
	 * Asks for a chance to send ({@code lws_ss_request_tx}); a stream without a connection
	 * starts one (POLL, then CONNECTING).
	 */
	void requestTx();

	/**
	 * Announces the length of the next message (an http body's content-length, an MQTT payload)
	 * and asks for a chance to send ({@code lws_ss_request_tx_len}).
	 * @param length the length in bytes
	 * @throws IllegalArgumentException if the length is negative, or, for a proxied stream, above
	 * 4294967295 (the wire's four bytes)
	 */
	void requestTxLen(long length);

	/**
	 * Starts a connection now and resets the retry counter ({@code lws_ss_client_connect}).
	 */
	void connect();

	/**
	 * Sets a metadata value; the name must be declared by the streamtype's policy.
	 * @param name the metadata name
	 * @param value the value
	 * @throws IllegalArgumentException if the streamtype does not declare the name
	 */
	void setMetadata(String name, String value);

	/**
	 * Sets a metadata value as bytes.
	 * @param name the metadata name
	 * @param value the value
	 * @throws IllegalArgumentException if the streamtype does not declare the name
	 */
	void setMetadata(String name, byte[] value);

	/**
	 * Returns a metadata value, set locally or received (for example a response header).
	 * @param name the metadata name
	 * @return the value as UTF-8 text, or {@code null} when not set
	 */
	@Nullable String metadata(String name);

	/**
	 * Returns a metadata value as bytes.
	 * @param name the metadata name
	 * @return a copy of the value, or {@code null} when not set
	 */
	byte @Nullable [] metadataBytes(String name);

	/**
	 * Starts or restarts the stream's timer; TIMEOUT is reported when it fires. When {@code millis}
	 * is 0 and the policy sets no {@code timeout_ms}, there is nothing to start and a running timer
	 * is left as it is, as in libwebsockets.
	 * @param millis the timeout, or 0 for the policy's {@code timeout_ms}
	 * @throws IllegalArgumentException when {@code millis} is negative (or, for a proxied stream,
	 * too large for the wire protocol's 32 bits)
	 */
	void startTimeout(long millis);

	/**
	 * Cancels the stream's timer.
	 */
	void cancelTimeout();

	/**
	 * Destroys the stream: its connection is closed, DISCONNECTED (if it was connected) and
	 * DESTROYING are reported, and the handle becomes inert. From inside a callback, prefer
	 * returning {@link StreamResult#DESTROY_ME}; called there, it works as that does: no other
	 * callback reaches the handler before the destruction.
	 */
	void destroy();

	/**
	 * Returns a stage that completes once the stream has been destroyed and has left its context
	 * (after DESTROYING reached the handler), however destruction came about: {@link #destroy()},
	 * DESTROY_ME, a vanished streamtype or the context stopping (also when its event loops stop
	 * before the stream could be destroyed). It never completes exceptionally; actions made
	 * dependent before completion run on the thread that completes it, so they must not block:
	 * the stream's event loop; the thread that called {@code create} for a stream whose CREATING
	 * returned DESTROY_ME; the thread closing the context when its loops stopped first.
	 * @return the destruction stage
	 */
	CompletionStage<Void> whenDestroyed();

	/**
	 * Server streams: sets the status of the current http transaction's response
	 * ({@code lws_ss_server_ack}).
	 * @param status the final HTTP status (200 to 999), or 0 for 200
	 * @throws IllegalArgumentException for any other status, 1xx included: those are interim
	 * answers, not the response
	 */
	void serverAck(int status);

	/**
	 * Sends callbacks to another handler from now on ({@code lws_ss_change_handlers}), for
	 * example after SERVER_UPGRADE.
	 * @param handler the new handler
	 * @throws NullPointerException when {@code handler} is {@code null}
	 */
	void changeHandler(StreamHandler handler);

	/**
	 * Tells the runtime the connection proved alive at application level
	 * ({@code lws_ss_validity_confirmed}), postponing validity pings.
	 */
	void validityConfirmed();

	/**
	 * Grants the peer credit to send this many more bytes to the stream
	 * ({@code lws_ss_add_peer_tx_credit}). It matters only for a stream created with an initial
	 * credit ({@link SecureStreams#create(String, StreamHandler, int)}) whose streamtype uses h2:
	 * the server may send no more than the credit granted so far in the current transaction (its
	 * h2 stream), and a grant made while no transaction is under way (before {@code requestTx}
	 * starts one, or between two) is dropped, as in libwebsockets. Other streams ignore it. A
	 * proxied stream passes the grant to its proxy (TXCR_UPDATE), whose onward stream applies it.
	 * @param delta the bytes granted, positive
	 * @throws IllegalArgumentException when {@code delta} is not positive
	 */
	default void addPeerTxCredit(int delta) {
		if (delta <= 0) {
			throw new IllegalArgumentException("a peer tx credit grant must be positive, got " + delta);
		}
	}

	/**
	 * Returns what the peer may still send to the stream by the credit granted
	 * ({@code lws_ss_get_est_peer_tx_credit}): for a stream created with an initial credit, the
	 * current transaction's credit (the initial credit plus the grants made during it) less the
	 * payload received in it. Bytes on their way count as still to come. An application keeping a
	 * window of buffered input can grant the shortfall when it falls low:
	 * <pre class="code">
	 * int shortfall = window - stream.estimatedPeerTxCredit() - buffered;
	 * if (shortfall &gt; window / 2) {
	 *     stream.addPeerTxCredit(shortfall);
	 * }
	 * </pre>
	 * A direct stream estimates for h2 only, the protocol that takes credit, where the credit is at
	 * least the 65535 bytes any h2 stream may receive. A proxied stream does not know its
	 * streamtype's protocol: it counts its credit, grants and payload from the proxy's CONNECTING,
	 * as libwebsockets' proxied client does, whatever the protocol. May be called from any thread.
	 * @return the bytes: 0 with no transaction under way or without an initial credit; negative
	 * for a proxied h2 stream whose server sent its 65535 bytes against a smaller credit
	 */
	default int estimatedPeerTxCredit() {
		return 0;
	}

	/**
	 * Returns the address of the connected peer.
	 * @return the peer, or {@code null} when not connected
	 */
	@Nullable SocketAddress peerAddress();

	/**
	 * Returns the address a listener is bound to (useful with port 0).
	 * @return the local address of a server listener, or {@code null}
	 */
	@Nullable SocketAddress localAddress();

	/**
	 * Returns the streams accepted by a server listener and still alive.
	 * @return the accepted streams; empty for other streams
	 */
	List<SecureStream> acceptedStreams();

	/**
	 * Returns a snapshot of the stream's statistics.
	 * @return the snapshot
	 */
	StreamInfo info();

}
