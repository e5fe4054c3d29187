package io.securestreams.protocol;

import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.securestreams.ProtocolLimits;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import org.jspecify.annotations.Nullable;

/**
 * The runtime side of one connection attempt, given to a protocol binding. Every method must be
 * called on {@link #eventLoop()}. Once the runtime has moved on (the stream disconnected,
 * was destroyed, or started another attempt) the link goes inert: {@link #isActive()} turns
 * false and events are ignored, so a binding never needs to know why.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface StreamLink {

	/**
	 * Returns the id of the stream this attempt belongs to. It is the same for every attempt of
	 * the stream, so a binding can keep per-stream state across connections (for example MQTT
	 * messages that await an acknowledgement after a reconnect).
	 * @return the stream's id, unique within its context
	 */
	long streamId();

	/**
	 * Returns the streamtype policy this attempt was started with.
	 * @return the policy snapshot
	 */
	StreamTypePolicy policy();

	/**
	 * Returns the retry policy, which also sets validity ping intervals.
	 * @return the retry policy, or {@code null}
	 */
	@Nullable RetryPolicy retryPolicy();

	/**
	 * Returns the limits the binding applies to what the peer sends.
	 * @return the context's limits
	 */
	default ProtocolLimits limits() {
		return ProtocolLimits.DEFAULTS;
	}

	/**
	 * Returns the stream's event loop.
	 * @return the loop
	 */
	EventLoop eventLoop();

	/**
	 * Returns the stream's metadata.
	 * @return the metadata store
	 */
	MetadataValues metadata();

	/**
	 * Returns the system blob store (auth tokens, device identity, credentials).
	 * @return the blobs
	 */
	SystemBlobs blobs();

	/**
	 * Returns the context's cookie jar, which http bindings use for streamtypes with
	 * {@code http_cookies}.
	 * @return the cookie jar
	 */
	CookieJar cookies();

	/**
	 * Returns whether the stream is fulfilled on behalf of a proxied client, which changes a few
	 * protocol details (for example CONNECTED is reported once an http POST's headers are out).
	 * @return {@code true} for a proxy's onward stream
	 */
	boolean isProxied();

	/**
	 * Returns whether this link is still the stream's current attempt.
	 * @return {@code false} once the runtime has moved on
	 */
	boolean isActive();

	/**
	 * Returns whether the application asked to send and has not been called since.
	 * @return {@code true} when tx is pending
	 */
	boolean txRequested();

	/**
	 * Consumes the application's pending request to send, for protocols where a request starts
	 * a transaction (http) rather than a single write.
	 * @return whether a request was pending
	 */
	boolean takeTxRequest();

	/**
	 * Returns the message length announced with {@code requestTxLen}.
	 * @return the length, or -1 when none was announced
	 */
	long txLength();

	/**
	 * Forgets the announced length once the message it described has been sent.
	 */
	void txLengthConsumed();

	/**
	 * Returns a number that changes with every {@code requestTxLen}, so that a binding which took
	 * a length for a message can later tell whether the application has announced another since.
	 * @return the serial of the announced length
	 */
	long txLengthSerial();

	/**
	 * Forgets the announced length once the message it described has been sent, unless the
	 * application announced another length (for its next message) in the meantime.
	 * @param serial the {@link #txLengthSerial()} read when the length was taken
	 */
	void txLengthConsumed(long serial);

	/**
	 * Calls the application's {@code onTx}, letting it write into {@code buffer}'s writable
	 * bytes; the buffer's writer index is advanced by what it wrote. The binding keeps ownership
	 * of the buffer. The handler's {@code TxSlot.remaining()} counts down from the length last
	 * announced with {@code requestTxLen} as this method is called; bindings that frame messages
	 * by a length they took call {@link #tx(ByteBuf, long)} instead.
	 * @param buffer where the payload goes
	 * @return the result, flags and length
	 */
	TxResult tx(ByteBuf buffer);

	/**
	 * Calls the application's {@code onTx} as {@link #tx(ByteBuf)} does, telling it how many bytes
	 * of the current message's announced length are still owed.
	 * @param buffer where the payload goes
	 * @param remaining the bytes still owed, or -1 when the message has no announced length
	 * @return the result, flags and length
	 */
	TxResult tx(ByteBuf buffer, long remaining);

	/**
	 * Reports a state. CONNECTED also resets the retry counter. A DISCONNECT_ME or DESTROY_ME
	 * result has already been acted on by the runtime (the connection is being closed); the
	 * binding should stop processing this connection.
	 * @param state the state
	 * @return the application's result
	 */
	StreamResult state(StreamState state);

	/**
	 * Delivers received payload. The runtime does not take ownership of {@code data}.
	 * @param data the payload, possibly empty
	 * @param flags {@code StreamFlags}
	 * @return the application's result, already acted on as for {@link #state}
	 */
	StreamResult rx(ByteBuf data, int flags);

	/**
	 * Stores a received metadata value (for example a response header) before CONNECTED.
	 * @param name the declared metadata name
	 * @param value the value
	 */
	void receivedMetadata(String name, byte[] value);

	/**
	 * Stores every header of the peer's last message, readable as raw-header metadata when the
	 * streamtype has {@code direct_proto_str}; ignored once this link is no longer the stream's.
	 * @param headers the header names and values
	 */
	default void receivedHeaders(Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
		if (isActive()) {
			metadata().setReceivedHeaders(headers);
		}
	}

	/**
	 * Returns the streamtypes of the stream's {@code rideshare} chain, whose parts follow the
	 * stream's own in an http request body, as the policy in force when the attempt started
	 * defines them.
	 * @return the streamtypes in order, empty when the streamtype names no rideshare
	 * @throws IllegalStateException when the chain names a streamtype the policy does not define
	 */
	default List<StreamTypePolicy> rideshares() {
		return List.of();
	}

	/**
	 * Tells the stream whose payload the body part now being sent carries (its own streamtype's,
	 * or one of its rideshare chain), which the application reads as
	 * {@link io.securestreams.SecureStream#rideshare()} in {@code onTx}.
	 * @param streamType the part's streamtype
	 */
	default void rideshare(String streamType) {
	}

	/**
	 * Reports the credit the binding has to send to the peer on this stream: the h2 stream's send
	 * window when the final response head arrives, as libwebsockets reports it from an h2 client
	 * stream's establishment. A proxy passes it to its client as TXCR_UPDATE; other streams ignore
	 * it. Ignored once this link is no longer the stream's.
	 * @param credit the bytes the peer lets this stream send now
	 */
	default void peerTxCredit(int credit) {
	}

	/**
	 * Returns the credit the application gave the peer for this stream when it created it
	 * ({@code manual_initial_tx_credit} in libwebsockets). When it is set, an h2 binding opens
	 * each h2 stream with that receive window and widens it only as the application grants more
	 * with {@link ProtocolConnection#addPeerTxCredit}; otherwise the window is returned as the
	 * application reads.
	 * @return the initial credit in bytes, or 0 for automatic flow control
	 */
	default int initialPeerTxCredit() {
		return 0;
	}

	/**
	 * Returns the largest receive window a binding with a {@link #initialPeerTxCredit()} offers
	 * its peer at a time; credit beyond it is offered as the stream reads. A proxy's onward stream
	 * caps it so that what the proxy holds unread while its client does not read stays bounded.
	 * @return the bytes, {@code Integer.MAX_VALUE} to offer every credit at once (libwebsockets)
	 */
	default int maxPeerTxWindow() {
		return Integer.MAX_VALUE;
	}

	/**
	 * Records the status of a final http response head (not an interim 1xx), shown in the
	 * stream's {@link io.securestreams.StreamInfo#httpStatus()}.
	 * @param status the status code
	 */
	default void httpStatus(int status) {
	}

	/**
	 * Says that the CONNECTED reported next comes before the connection is established: an http
	 * request head is out and its answer still to come (a proxy's onward request with a body,
	 * whose client sends the body only after CONNECTED). Unlike an established connection's, that
	 * CONNECTED does not reset the retry counter: {@link #established()} does, once the answer came.
	 */
	default void connectedEarly() {
	}

	/**
	 * Says that the connection is established (for http, a final answer other than 503 or 429
	 * arrived), which resets the stream's retry counter as CONNECTED does.
	 */
	default void established() {
	}

	/**
	 * Returns the auth scheme the streamtype binds with {@code use_auth}, as the policy in force
	 * when the attempt started defines it; an http binding signs each request with a
	 * {@code sigv4} scheme.
	 * @return the scheme, or {@code null} when the streamtype binds none
	 */
	default @Nullable AuthScheme authScheme() {
		return null;
	}

	/**
	 * Returns where the binding records its connection's setup timings: passed to the
	 * {@link io.securestreams.transport.Connector}, and told by an http binding when its first
	 * request went out and its response started. Present only for streamtypes with
	 * {@code "perf": true}, whose streams receive the timings as PERF_JSON rx when the
	 * connection ends.
	 * @return the timings of this attempt, or {@code null} when the streamtype does not ask
	 */
	default @Nullable ConnectionTimings timings() {
		return null;
	}

	/**
	 * Resolves where the stream's next transaction goes under its metadata and policy now, so
	 * that a binding keeping a connection between transactions (h1 keep-alive) requests the
	 * current {@code http_url} and notices when {@code endpoint} no longer leads to its peer.
	 * @return the target, or {@code null} when the link cannot tell (the binding keeps its own)
	 * @throws IllegalArgumentException when the endpoint or url cannot be expanded
	 */
	default @Nullable ConnectTarget nextTarget() {
		return null;
	}

	/**
	 * The attempt failed before the connection was usable (DNS, connect, proxy, TLS, or the
	 * peer went away before answering): the runtime reports UNREACHABLE and backs off.
	 * @param cause what failed
	 */
	void connectFailed(Throwable cause);

	/**
	 * The server asked to try later (http 503 or 429): the runtime reports UNREACHABLE and
	 * backs off for at least {@code minDelayMillis}. The binding closes the connection.
	 * @param minDelayMillis the server's {@code Retry-After}, or 0
	 */
	void retryLater(long minDelayMillis);

	/**
	 * The connection closed. The runtime reports DISCONNECTED (or UNREACHABLE when CONNECTED was
	 * never reported) and, when {@code reconnect} is set and the streamtype is not
	 * opportunistic, backs off and connects again.
	 * @param reconnect whether the protocol wants the connection back (for example an http
	 * transaction was cut short, or a ws connection dropped)
	 */
	void closed(boolean reconnect);

	/**
	 * Returns whether the runtime is closing this attempt because the stream's streamtype policy
	 * changed. A binding that reports a close it made itself as voluntary ({@code closed(false)})
	 * reports this one as a lost connection, so that a stream that is not opportunistic
	 * connects again at once under the new policy.
	 * @return {@code true} when a policy change closes the attempt
	 */
	default boolean closingForPolicyChange() {
		return false;
	}

}
