package io.securestreams;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A connection state reported to a stream's handler. The standard states keep the numeric
 * values of libwebsockets' {@code lws_ss_constate_t}; values of {@value #USER_BASE} and above are
 * application states, for example produced by a policy's {@code http_resp_map}.
 * <p>
 * Standard states are singletons, so {@code state == StreamState.CONNECTED} works; use
 * {@link #value()} to switch.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class StreamState {

	/** First value of application-defined states. */
	public static final int USER_BASE = 1000;

	/** The stream object was created. */
	public static final StreamState CREATING = new StreamState(1, "CREATING");

	/** An established connection went away. */
	public static final StreamState DISCONNECTED = new StreamState(2, "DISCONNECTED");

	/** A connection attempt failed (DNS, connect, TLS, or closed before any response). */
	public static final StreamState UNREACHABLE = new StreamState(3, "UNREACHABLE");

	/** Authentication failed. */
	public static final StreamState AUTH_FAILED = new StreamState(4, "AUTH_FAILED");

	/** The onward connection is up, or a transaction's response started. */
	public static final StreamState CONNECTED = new StreamState(5, "CONNECTED");

	/** A connection attempt is starting. */
	public static final StreamState CONNECTING = new StreamState(6, "CONNECTING");

	/** The last state before the stream is freed. */
	public static final StreamState DESTROYING = new StreamState(7, "DESTROYING");

	/** A connection is being started by a tx request or a retry (the stream had none). */
	public static final StreamState POLL = new StreamState(8, "POLL");

	/** The retry budget ({@code conceal}) is spent; the stream is idle until asked again. */
	public static final StreamState ALL_RETRIES_FAILED = new StreamState(9, "ALL_RETRIES_FAILED");

	/** The remote acknowledged the transaction (http success, MQTT PUBACK/PUBCOMP). */
	public static final StreamState QOS_ACK_REMOTE = new StreamState(10, "QOS_ACK_REMOTE");

	/** The remote rejected the transaction, or delivery failed. */
	public static final StreamState QOS_NACK_REMOTE = new StreamState(11, "QOS_NACK_REMOTE");

	/** The local proxy accepted the tx (declared for completeness). */
	public static final StreamState QOS_ACK_LOCAL = new StreamState(12, "QOS_ACK_LOCAL");

	/** The local proxy refused the tx (declared for completeness). */
	public static final StreamState QOS_NACK_LOCAL = new StreamState(13, "QOS_NACK_LOCAL");

	/** The stream's own timer fired. */
	public static final StreamState TIMEOUT = new StreamState(14, "TIMEOUT");

	/** Server side: a new http transaction arrived on an accepted stream. */
	public static final StreamState SERVER_TXN = new StreamState(15, "SERVER_TXN");

	/** Server side: the http connection was upgraded to ws. */
	public static final StreamState SERVER_UPGRADE = new StreamState(16, "SERVER_UPGRADE");

	/** Someone cancelled the service wait; transient broadcast. */
	public static final StreamState EVENT_WAIT_CANCELLED = new StreamState(17, "EVENT_WAIT_CANCELLED");

	/** Proxied client only: the link to the proxy could not be made and is being retried. */
	public static final StreamState UPSTREAM_LINK_RETRY = new StreamState(18, "UPSTREAM_LINK_RETRY");

	/** A source joined a local sink. */
	public static final StreamState SINK_JOIN = new StreamState(19, "SINK_JOIN");

	/** A source left a local sink. */
	public static final StreamState SINK_PART = new StreamState(20, "SINK_PART");

	private static final List<StreamState> STANDARD = List.of(CREATING, DISCONNECTED, UNREACHABLE, AUTH_FAILED,
			CONNECTED, CONNECTING, DESTROYING, POLL, ALL_RETRIES_FAILED, QOS_ACK_REMOTE, QOS_NACK_REMOTE,
			QOS_ACK_LOCAL, QOS_NACK_LOCAL, TIMEOUT, SERVER_TXN, SERVER_UPGRADE, EVENT_WAIT_CANCELLED,
			UPSTREAM_LINK_RETRY, SINK_JOIN, SINK_PART);

	private final int value;

	private final String name;

	private StreamState(int value, String name) {
		this.value = value;
		this.name = name;
	}

	/**
	 * Returns the state for a numeric value.
	 * @param value a standard value (1..20) or a user value ({@value #USER_BASE} and above)
	 * @return the state; the standard singleton for standard values
	 * @throws IllegalArgumentException for values that are neither
	 */
	public static StreamState of(int value) {
		StreamState standard = standard(value);
		if (standard != null) {
			return standard;
		}
		if (value >= USER_BASE) {
			return new StreamState(value, "USER_STATE_" + value);
		}
		throw new IllegalArgumentException("no stream state with value " + value);
	}

	private static @Nullable StreamState standard(int value) {
		return (value >= 1 && value <= STANDARD.size()) ? STANDARD.get(value - 1) : null;
	}

	/**
	 * Returns the standard states in value order.
	 * @return the 20 standard states
	 */
	public static List<StreamState> standardStates() {
		return STANDARD;
	}

	/**
	 * Returns the numeric value, as on the wire and in libwebsockets.
	 * @return the value
	 */
	public int value() {
		return this.value;
	}

	/**
	 * Returns the name, for example {@code CONNECTED} or {@code USER_STATE_1530}.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns whether this is an application state ({@value #USER_BASE} or above).
	 * @return {@code true} for user states
	 */
	public boolean isUserState() {
		return this.value >= USER_BASE;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof StreamState that) && this.value == that.value;
	}

	@Override
	public int hashCode() {
		return this.value;
	}

	@Override
	public String toString() {
		return this.name;
	}

}
