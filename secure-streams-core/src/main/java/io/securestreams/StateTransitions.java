package io.securestreams;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The legal state transitions of libwebsockets' Secure Streams. The runtime checks every state
 * it reports against {@link #LOCAL}; the proxy only sends sequences that {@link #PROXIED_CLIENT}
 * (the stricter table the C proxied client enforces) accepts.
 * <p>
 * User states ({@value StreamState#USER_BASE} and above) and {@code EVENT_WAIT_CANCELLED} are
 * always allowed and do not count as the previous state; locally, so is
 * {@code UPSTREAM_LINK_RETRY}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum StateTransitions {

	/** The in-process table ({@code ss_state_txn_validity[]}). */
	LOCAL,

	/** The proxied client's table ({@code sspc.c}). */
	PROXIED_CLIENT;

	private static final int NONE = 0;

	private final Map<Integer, Long> table = new HashMap<>();

	static {
		LOCAL.row(NONE, StreamState.CREATING, StreamState.DESTROYING);
		LOCAL.row(StreamState.CREATING, StreamState.CONNECTING, StreamState.TIMEOUT, StreamState.POLL,
				StreamState.SERVER_UPGRADE, StreamState.DESTROYING);
		LOCAL.row(StreamState.DISCONNECTED, StreamState.CONNECTING, StreamState.CONNECTED, StreamState.TIMEOUT,
				StreamState.POLL, StreamState.DESTROYING, StreamState.UNREACHABLE);
		LOCAL.row(StreamState.UNREACHABLE, StreamState.ALL_RETRIES_FAILED, StreamState.TIMEOUT, StreamState.POLL,
				StreamState.UNREACHABLE, StreamState.CONNECTING, StreamState.CONNECTED, StreamState.DESTROYING);
		LOCAL.row(StreamState.AUTH_FAILED, StreamState.ALL_RETRIES_FAILED, StreamState.TIMEOUT,
				StreamState.CONNECTING, StreamState.DESTROYING);
		LOCAL.row(StreamState.CONNECTED, StreamState.SERVER_UPGRADE, StreamState.SERVER_TXN, StreamState.AUTH_FAILED,
				StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE, StreamState.QOS_ACK_LOCAL,
				StreamState.QOS_NACK_LOCAL, StreamState.DISCONNECTED, StreamState.TIMEOUT, StreamState.CONNECTING,
				StreamState.POLL, StreamState.DESTROYING);
		LOCAL.row(StreamState.CONNECTING, StreamState.UNREACHABLE, StreamState.AUTH_FAILED, StreamState.CONNECTING,
				StreamState.CONNECTED, StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE, StreamState.TIMEOUT,
				StreamState.POLL, StreamState.ALL_RETRIES_FAILED, StreamState.DISCONNECTED, StreamState.DESTROYING);
		LOCAL.row(StreamState.DESTROYING);
		LOCAL.row(StreamState.POLL, StreamState.CONNECTING, StreamState.TIMEOUT, StreamState.ALL_RETRIES_FAILED,
				StreamState.DESTROYING);
		LOCAL.row(StreamState.ALL_RETRIES_FAILED, StreamState.CONNECTING, StreamState.POLL, StreamState.TIMEOUT,
				StreamState.UNREACHABLE, StreamState.DESTROYING);
		LOCAL.row(StreamState.QOS_ACK_REMOTE, StreamState.DISCONNECTED, StreamState.TIMEOUT, StreamState.CONNECTING,
				StreamState.DESTROYING, StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		LOCAL.row(StreamState.QOS_NACK_REMOTE, StreamState.DISCONNECTED, StreamState.TIMEOUT, StreamState.DESTROYING,
				StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
		LOCAL.row(StreamState.QOS_ACK_LOCAL, StreamState.DISCONNECTED, StreamState.TIMEOUT, StreamState.DESTROYING);
		LOCAL.row(StreamState.QOS_NACK_LOCAL, StreamState.DESTROYING, StreamState.TIMEOUT);
		LOCAL.row(StreamState.TIMEOUT, StreamState.CONNECTING, StreamState.CONNECTED, StreamState.QOS_ACK_REMOTE,
				StreamState.QOS_NACK_REMOTE, StreamState.POLL, StreamState.TIMEOUT, StreamState.DISCONNECTED,
				StreamState.UNREACHABLE, StreamState.DESTROYING);
		LOCAL.row(StreamState.SERVER_TXN, StreamState.DISCONNECTED, StreamState.TIMEOUT, StreamState.SERVER_TXN,
				StreamState.DESTROYING);
		LOCAL.row(StreamState.SERVER_UPGRADE, StreamState.SERVER_UPGRADE, StreamState.SERVER_TXN, StreamState.TIMEOUT,
				StreamState.DISCONNECTED, StreamState.DESTROYING);

		PROXIED_CLIENT.table.putAll(LOCAL.table);
		PROXIED_CLIENT.row(StreamState.DISCONNECTED, StreamState.CONNECTING, StreamState.TIMEOUT, StreamState.POLL,
				StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.UNREACHABLE, StreamState.ALL_RETRIES_FAILED, StreamState.TIMEOUT,
				StreamState.POLL, StreamState.CONNECTING, StreamState.CONNECTED, StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.CONNECTING, StreamState.UNREACHABLE, StreamState.AUTH_FAILED,
				StreamState.CONNECTING, StreamState.CONNECTED, StreamState.TIMEOUT, StreamState.DISCONNECTED,
				StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.POLL, StreamState.CONNECTING, StreamState.TIMEOUT, StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.ALL_RETRIES_FAILED, StreamState.CONNECTING, StreamState.TIMEOUT,
				StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.QOS_ACK_REMOTE, StreamState.DISCONNECTED, StreamState.TIMEOUT,
				StreamState.DESTROYING, StreamState.QOS_ACK_REMOTE);
		PROXIED_CLIENT.row(StreamState.QOS_NACK_REMOTE, StreamState.DISCONNECTED, StreamState.TIMEOUT,
				StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.SERVER_TXN, StreamState.DISCONNECTED, StreamState.TIMEOUT,
				StreamState.DESTROYING);
		PROXIED_CLIENT.row(StreamState.SERVER_UPGRADE, StreamState.SERVER_TXN, StreamState.TIMEOUT,
				StreamState.DISCONNECTED, StreamState.DESTROYING);
	}

	private void row(StreamState from, StreamState... allowed) {
		row(from.value(), allowed);
	}

	private void row(int from, StreamState... allowed) {
		long bits = 0;
		for (StreamState state : allowed) {
			bits |= 1L << state.value();
		}
		this.table.put(from, bits);
	}

	/**
	 * Returns whether a state is exempt from the table: it is always allowed and is not
	 * remembered as the previous state.
	 * @param state the state
	 * @return {@code true} when the table is not consulted for it
	 */
	public boolean bypasses(StreamState state) {
		return state.isUserState() || state == StreamState.EVENT_WAIT_CANCELLED
				|| (this == LOCAL && state == StreamState.UPSTREAM_LINK_RETRY);
	}

	/**
	 * Returns whether {@code to} may follow {@code from}.
	 * @param from the previous checked state, or {@code null} before the first
	 * @param to the next state
	 * @return {@code true} when the transition is legal
	 */
	public boolean isAllowed(@Nullable StreamState from, StreamState to) {
		if (bypasses(to)) {
			return true;
		}
		Long allowed = this.table.get((from != null) ? from.value() : NONE);
		return allowed != null && to.value() < 64 && (allowed & (1L << to.value())) != 0;
	}

}
