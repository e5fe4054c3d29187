package io.securestreams.internal;

import io.securestreams.StateTransitions;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;

/**
 * Reports a stream's states to its handler and the context's listeners, checked against the
 * stream's transition table, and remembers what the handler was told: the current state, the
 * last one that went through the table, and whether CREATING and a CONNECTED without its
 * DISCONNECTED went out, which destruction must still answer. Runs on the stream's event loop;
 * the current state is also read from other threads.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StateReporter {

	private final AbstractStream stream;

	private final StreamsRuntime runtime;

	private final StateTransitions transitions;

	private final HandlerCalls calls;

	private final StreamStatistics statistics;

	private volatile @Nullable StreamState current;

	private @Nullable StreamState checkedPrevious;

	private boolean danglingConnected;

	private boolean creatingDelivered;

	StateReporter(AbstractStream stream, StreamsRuntime runtime, StateTransitions transitions, HandlerCalls calls,
			StreamStatistics statistics) {
		this.stream = stream;
		this.runtime = runtime;
		this.transitions = transitions;
		this.calls = calls;
		this.statistics = statistics;
	}

	/**
	 * Reports a state after checking the transition table.
	 * @param next the state
	 * @param ack the state's argument
	 * @return the handler's result; DESTROY_ME for an illegal transition
	 */
	StreamResult checked(StreamState next, long ack) {
		StreamState previous = this.checkedPrevious;
		if (!this.transitions.isAllowed(previous, next)) {
			this.runtime.illegalTransition(this.stream, previous, next);
			return StreamResult.DESTROY_ME;
		}
		if (!this.transitions.bypasses(next)) {
			this.checkedPrevious = next;
		}
		return unchecked(next, ack);
	}

	/**
	 * Reports a state without the transition table and without remembering it as the previous
	 * state.
	 * @param next the state
	 * @param ack the state's argument
	 * @return the handler's result
	 */
	StreamResult unchecked(StreamState next, long ack) {
		StreamState old = this.current;
		this.current = next;
		this.statistics.stateReported();
		if (next == StreamState.CONNECTED) {
			this.danglingConnected = true;
		}
		else if (next == StreamState.DISCONNECTED) {
			this.danglingConnected = false;
		}
		else if (next == StreamState.CREATING) {
			this.creatingDelivered = true;
		}
		this.runtime.stateChanged(this.stream, old, next);
		return this.calls.onState(next, ack);
	}

	@Nullable StreamState current() {
		return this.current;
	}

	@Nullable StreamState checkedPrevious() {
		return this.checkedPrevious;
	}

	boolean danglingConnected() {
		return this.danglingConnected;
	}

	/**
	 * Whether CONNECTED is unanswered and DISCONNECTED may follow the last checked state: a proxy
	 * may have moved the stream on to a state (POLL) from which the table allows no DISCONNECTED.
	 */
	boolean owesDisconnected() {
		return this.danglingConnected && this.transitions.isAllowed(this.checkedPrevious, StreamState.DISCONNECTED);
	}

	boolean creatingDelivered() {
		return this.creatingDelivered;
	}

}
