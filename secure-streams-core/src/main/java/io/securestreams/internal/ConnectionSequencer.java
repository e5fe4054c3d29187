package io.securestreams.internal;

import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.retry.RetryTracker;
import org.jspecify.annotations.Nullable;

/**
 * The connection sequencer of a {@link ClientStream}, after libwebsockets'
 * {@code secure-streams.c}: starts an attempt with POLL and CONNECTING, answers an attempt that
 * failed with UNREACHABLE and a lost connection with DISCONNECTED, backs off and retries by the
 * streamtype's retry policy, reconnects streams that are not opportunistic, and gives up with
 * ALL_RETRIES_FAILED when the policy's {@code conceal} budget is spent. The stream owns the
 * current attempt and opens its connection. Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ConnectionSequencer {

	/** The connection sequencer's state ({@code lws_ss_seq_state_t}). */
	private enum Sequence {

		IDLE, TRY_CONNECT, RECONNECT_WAIT, DO_RETRY

	}

	private final ClientStream stream;

	/** The stream's failure count, which the stream itself resets on CONNECTED. */
	private final RetryTracker retry;

	private Sequence sequence = Sequence.IDLE;

	private @Nullable ScheduledFuture<?> retryTimer;

	// Whether any attempt was started, for the connection a nailed-up stream makes at creation.
	private boolean started;

	ConnectionSequencer(ClientStream stream, RetryTracker retry) {
		this.stream = stream;
		this.retry = retry;
	}

	/**
	 * Returns whether a request to send may start an attempt when there is none: not while one is
	 * starting or a retry is waiting for its time.
	 * @return {@code true} when idle or retrying
	 */
	boolean mayStart() {
		return this.sequence == Sequence.IDLE || this.sequence == Sequence.DO_RETRY;
	}

	/**
	 * Starts an attempt at once, without POLL, forgetting earlier failures and any retry waiting,
	 * for an explicit connect when there is no attempt.
	 */
	void restart() {
		this.retry.reset();
		cancelRetryTimer();
		startAttempt(false);
	}

	/**
	 * Connects a nailed-up stream at creation (no POLL), unless an attempt was started already: a
	 * requestTx or connect from the CREATING callback queues its task ahead of this one, and a
	 * second attempt would replace that one's connection, leaving it open, owned by no attempt.
	 */
	void startAtCreation() {
		if (!this.started) {
			startAttempt(false);
		}
	}

	/**
	 * Reports POLL (when asked and not reported already) and CONNECTING, then has the stream open
	 * the attempt's connection, unless the handler's answer stops it.
	 * @param poll whether the attempt is for a request to send
	 */
	void startAttempt(boolean poll) {
		this.started = true;
		this.sequence = Sequence.TRY_CONNECT;
		StreamResult result = (poll && this.stream.checkedState() != StreamState.POLL)
				? this.stream.emit(StreamState.POLL, 0) : StreamResult.OK;
		if (result == StreamResult.OK && !this.stream.destructionDecided()) {
			result = this.stream.emit(StreamState.CONNECTING, 0);
		}
		if (result == StreamResult.DESTROY_ME) {
			this.stream.act(result);
			return;
		}
		if (this.stream.destructionDecided()) {
			// The handler called destroy() from POLL or CONNECTING: no attempt for a stream going.
			return;
		}
		if (result != StreamResult.OK) {
			// No connection exists yet: the attempt is given up and, as libwebsockets does when
			// POLL or CONNECTING is answered with anything but OK (TX_DONT_SEND included), the
			// retry rules decide when the next one starts. Opening the connection anyway would
			// follow POLL with CONNECTED, which the table forbids; returning without a backoff
			// would leave the sequence busy, ignoring every later requestTx.
			backoff(0);
			return;
		}
		this.stream.openAttempt();
	}

	/**
	 * The attempt failed before it was usable: UNREACHABLE, then back off. When the attempt was a
	 * kept-alive connection's next transaction, CONNECTED is still unanswered, so DISCONNECTED comes
	 * first (UNREACHABLE cannot be followed by the DISCONNECTED destruction would owe).
	 * @param minDelayMillis the least wait before the next attempt
	 */
	void attemptFailed(long minDelayMillis) {
		if (this.stream.danglingConnected() && destroys(this.stream.emit(StreamState.DISCONNECTED, 0))) {
			return;
		}
		if (destroys(this.stream.emit(StreamState.UNREACHABLE, 0))) {
			return;
		}
		backoff(minDelayMillis);
	}

	/**
	 * Acts on the result of a state reported when there is no connection left to close: only
	 * DESTROY_ME has an effect ("already disconnected, no action for DISCONNECT_ME", as
	 * libwebsockets puts it), so the retry rules still run after a DISCONNECT_ME. A destroy()
	 * called from the callback stops them as DESTROY_ME does.
	 * @param result the handler's result
	 * @return {@code true} when the stream is being destroyed
	 */
	private boolean destroys(StreamResult result) {
		return (result == StreamResult.DESTROY_ME && this.stream.act(result)) || this.stream.destructionDecided();
	}

	/**
	 * The attempt's connection closed: DISCONNECTED when CONNECTED was reported (else it failed),
	 * then reconnect, or stay idle until the next request to send.
	 * @param reconnect whether the connection was lost rather than done with
	 * @param policyChange whether the runtime closed it because the streamtype's policy changed:
	 * a reconnection then starts at once and does not count as a failed attempt
	 */
	void attemptClosed(boolean reconnect, boolean policyChange) {
		boolean onwardConnect = this.stream.takeOnwardConnect();
		if (!this.stream.danglingConnected()) {
			attemptFailed(0);
			return;
		}
		if (destroys(this.stream.emit(StreamState.DISCONNECTED, 0))) {
			return;
		}
		// As libwebsockets' DISCONNECTED: the sequence is idle again, so a backoff that finds no
		// retry left leaves the stream idle rather than reporting ALL_RETRIES_FAILED, which may
		// not follow DISCONNECTED.
		this.sequence = Sequence.IDLE;
		if (reconnect && !this.stream.policy.opportunistic()) {
			if (policyChange) {
				// Nothing failed: the connection is made again under the new policy right away
				// (a streamtype without retries would otherwise never come back).
				startAttempt(true);
			}
			else {
				backoff(0);
			}
			return;
		}
		if (onwardConnect) {
			// A kept-alive connection that closed instead of carrying the transaction a proxied
			// client's ONWARD_CONNECT asked for (another endpoint): connect as ONWARD_CONNECT
			// does on a stream without a connection, without POLL (reference 7.7).
			restart();
		}
		else if (this.stream.txRequested() && (!reconnect || !this.stream.isProxied())) {
			// A request to send that no transaction took: the peer closed an idle kept-alive
			// connection while a new transaction was wanted, or an opportunistic stream lost its
			// connection mid-transaction after the request was made. Nothing else would serve it:
			// the stream would sit idle with the request, as if it had never been made. A proxy's
			// onward stream is the exception after a lost connection: its requests carry the
			// client's payload of the transaction that was cut short, and only the client's next
			// ONWARD_CONNECT starts another (reference 7.3).
			startAttempt(true);
		}
	}

	private void backoff(long minDelayMillis) {
		if (this.sequence == Sequence.RECONNECT_WAIT) {
			return;
		}
		RetryPolicy retryPolicy = this.stream.runtime.policy().retryFor(this.stream.policy);
		long delay = this.retry.onFailure(retryPolicy);
		if (delay < 0) {
			if (this.sequence != Sequence.IDLE) {
				this.sequence = Sequence.IDLE;
				this.stream.act(this.stream.emit(StreamState.ALL_RETRIES_FAILED, 0));
			}
			return;
		}
		long wait = Math.max(delay, minDelayMillis);
		this.sequence = Sequence.RECONNECT_WAIT;
		this.stream.runtime.retryScheduled(this.stream, wait);
		this.retryTimer = this.stream.loop.schedule(() -> {
			this.retryTimer = null;
			if (!this.stream.isDestroyed()) {
				this.sequence = Sequence.DO_RETRY;
				startAttempt(true);
			}
		}, wait, TimeUnit.MILLISECONDS);
	}

	/**
	 * Cancels the retry waiting for its time, if any.
	 */
	void cancelRetryTimer() {
		if (this.retryTimer != null) {
			this.retryTimer.cancel(false);
			this.retryTimer = null;
		}
	}

}
