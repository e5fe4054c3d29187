package io.securestreams.internal;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.securestreams.SecureStream;
import io.securestreams.StateTransitions;
import io.securestreams.StreamHandler;
import io.securestreams.StreamInfo;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every kind of stream shares: identity, metadata, tasks on its event loop, and its life
 * from CREATING to destruction. It hands the handler calls and their buffer rules to
 * {@code HandlerCalls}, state reporting checked against the transition table to
 * {@code StateReporter}, the stream timer to {@code StreamTimeout} and the monitoring counts to
 * {@code StreamStatistics}. Everything except the public thread-safe API runs on the stream's
 * event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class AbstractStream implements SecureStream {

	private static final Logger logger = LoggerFactory.getLogger(AbstractStream.class);

	/** The context internals: transport, TLS contexts, blobs, active policy and stream registry. */
	protected final StreamsRuntime runtime;

	/** The event loop the stream lives on; everything but the thread-safe API runs on it. */
	protected final EventLoop loop;

	/** The values of the metadata the streamtype declares. */
	protected final MetadataValues metadata;

	/**
	 * The streamtype's policy; replaced on the event loop when a new policy changes the streamtype,
	 * volatile for the threads that read it off the loop.
	 */
	protected volatile StreamTypePolicy policy;

	private final long id;

	private final StreamRole role;

	private final StreamStatistics statistics = new StreamStatistics();

	private final HandlerCalls calls;

	private final StateReporter states;

	private final StreamTimeout timeout;

	private volatile boolean destroyed;

	private final CompletableFuture<Void> destruction = new CompletableFuture<>();

	// Volatile: a destroy() task queued from another thread must see a destruction already decided.
	private volatile boolean destroyScheduled;

	// While CREATING runs on the creating thread, the stream is already registered (so that a
	// concurrent close() finds it) and its handle may already be used from the callback or from
	// other threads: loop tasks asked for meanwhile wait here, so that none of them reaches the
	// handler while CREATING is still running. Null when nothing is held.
	private volatile @Nullable List<Runnable> heldDuringCreating;

	private final Object holding = new Object();

	/**
	 * Creates a stream whose states are checked against the in-process table, {@link StateTransitions#LOCAL}.
	 * @param runtime the context internals
	 * @param policy the streamtype
	 * @param handler the application's handler
	 * @param role the role
	 * @param loop the event loop the stream lives on
	 */
	protected AbstractStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, StreamRole role,
			EventLoop loop) {
		this(runtime, policy, handler, role, loop, StateTransitions.LOCAL);
	}

	/**
	 * Creates a stream whose states are checked against a given table.
	 * @param runtime the context internals
	 * @param policy the streamtype
	 * @param handler the application's handler
	 * @param role the role
	 * @param loop the event loop the stream lives on
	 * @param transitions the table every reported state is checked against ({@code PROXIED_CLIENT}
	 * for streams fulfilled by a proxy)
	 */
	protected AbstractStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, StreamRole role,
			EventLoop loop, StateTransitions transitions) {
		this.runtime = runtime;
		this.policy = policy;
		this.role = role;
		this.loop = loop;
		this.id = runtime.nextId();
		this.metadata = new MetadataValues(policy);
		this.calls = new HandlerCalls(this, handler, this.statistics);
		this.states = new StateReporter(this, runtime, transitions, this.calls, this.statistics);
		this.timeout = new StreamTimeout(this, loop);
	}

	@Override
	public long id() {
		return this.id;
	}

	@Override
	public String streamType() {
		return this.policy.name();
	}

	@Override
	public StreamRole role() {
		return this.role;
	}

	@Override
	public @Nullable StreamState state() {
		return this.states.current();
	}

	@Override
	public StreamHandler handler() {
		return this.calls.handler();
	}

	/**
	 * Returns the stream's event loop.
	 * @return the loop
	 */
	public EventLoop eventLoop() {
		return this.loop;
	}

	/**
	 * Returns the stream's metadata store.
	 * @return the metadata
	 */
	public MetadataValues metadataValues() {
		return this.metadata;
	}

	/**
	 * Returns whether the stream was destroyed.
	 * @return {@code true} once destroyed
	 */
	public boolean isDestroyed() {
		return this.destroyed;
	}

	/**
	 * Checks a credit grant as {@link SecureStream#addPeerTxCredit} requires it.
	 * @param delta the grant
	 * @throws IllegalArgumentException when {@code delta} is not positive
	 */
	protected static void checkPeerTxCredit(int delta) {
		if (delta <= 0) {
			throw new IllegalArgumentException("a peer tx credit grant must be positive, got " + delta);
		}
	}

	/**
	 * Runs a task on the stream's loop, after whatever runs now, unless the stream is destroyed.
	 * @param task the task
	 */
	protected final void execute(Runnable task) {
		submit(() -> {
			if (!this.destroyed && !this.destroyScheduled) {
				task.run();
			}
		});
	}

	/**
	 * Runs a task on the stream's loop, after whatever runs now, unless the stream is destroyed
	 * or its destruction is decided by then; in that case, or when the context has shut down,
	 * {@code dropped} runs instead (to release what the task would have consumed).
	 * @param task the task
	 * @param dropped what to do instead
	 */
	protected final void executeOr(Runnable task, Runnable dropped) {
		dispatch(() -> {
			if (!this.destroyed && !this.destroyScheduled) {
				task.run();
			}
			else {
				dropped.run();
			}
		}, dropped);
	}

	private void submit(Runnable task) {
		dispatch(task, () -> {
			// The context was shut down: every stream is already destroyed, so there is nothing to do.
			logger.debug("stream {} ({}): ignoring a call after the context shut down", this.id, streamType());
		});
	}

	// Queues a task on the loop, or holds it while CREATING runs on another thread.
	private void dispatch(Runnable task, Runnable rejected) {
		if (this.heldDuringCreating != null) {
			synchronized (this.holding) {
				List<Runnable> held = this.heldDuringCreating;
				if (held != null) {
					held.add(() -> dispatchNow(task, rejected));
					return;
				}
			}
		}
		dispatchNow(task, rejected);
	}

	private void dispatchNow(Runnable task, Runnable rejected) {
		try {
			this.loop.execute(task);
		}
		catch (RejectedExecutionException ex) {
			rejected.run();
		}
	}

	// Queues what was held during CREATING, in order, before anyone may queue past it.
	private void releaseHeld() {
		synchronized (this.holding) {
			List<Runnable> held = this.heldDuringCreating;
			if (held != null) {
				held.forEach(Runnable::run);
				this.heldDuringCreating = null;
			}
		}
	}

	/**
	 * Reports a state to the handler, after checking the transition table.
	 * @param next the state
	 * @param ack the state's argument
	 * @return the handler's result; DESTROY_ME for an illegal transition
	 */
	protected final StreamResult emit(StreamState next, long ack) {
		return this.states.checked(next, ack);
	}

	/**
	 * Reports a state without consulting the transition table and without remembering it as the
	 * previous state: for states a proxied client generates itself ({@code UPSTREAM_LINK_RETRY}).
	 * @param next the state
	 * @param ack the state's argument
	 * @return the handler's result
	 */
	protected final StreamResult emitUnchecked(StreamState next, long ack) {
		return this.states.unchecked(next, ack);
	}

	/**
	 * Returns the last state that went through the transition table.
	 * @return the state, {@code null} before CREATING
	 */
	protected final @Nullable StreamState checkedState() {
		return this.states.checkedPrevious();
	}

	/**
	 * Returns whether CONNECTED was reported and no DISCONNECTED since, so that losing the
	 * connection or destroying the stream still owes the handler a DISCONNECTED.
	 * @return {@code true} while CONNECTED is unanswered
	 */
	protected final boolean danglingConnected() {
		return this.states.danglingConnected();
	}

	/**
	 * Returns whether losing the connection or being destroyed owes the handler a DISCONNECTED:
	 * CONNECTED is unanswered and the transition table allows DISCONNECTED from the last state.
	 * @return {@code true} when DISCONNECTED is to be reported
	 */
	protected final boolean owesDisconnected() {
		return this.states.owesDisconnected();
	}

	/**
	 * Delivers payload to the handler as a read-only JDK buffer valid only during the call.
	 * @param data the payload; not released here
	 * @param flags the flags
	 * @return the handler's result
	 */
	protected final StreamResult deliverRx(ByteBuf data, int flags) {
		return this.calls.onRx(data, flags);
	}

	/**
	 * Lets the handler write into a buffer's writable bytes and advances its writer index.
	 * @param buffer the buffer to fill
	 * @param remaining bytes still owed of an announced length, or -1
	 * @return what the handler did
	 */
	protected final TxResult deliverTx(ByteBuf buffer, long remaining) {
		return this.calls.onTx(buffer, remaining);
	}

	/**
	 * Acts on a callback result that asks to disconnect or destroy.
	 * @param result the result
	 * @return {@code true} when the caller should stop what it was doing
	 */
	protected final boolean act(StreamResult result) {
		if (result == StreamResult.DESTROY_ME) {
			destroyLater();
			return true;
		}
		if (result == StreamResult.DISCONNECT_ME) {
			disconnect();
			return true;
		}
		return false;
	}

	/**
	 * Acts on what {@code onState} or {@code onRx} returned: TX_DONT_SEND only means something
	 * from {@code onTx}, and libwebsockets takes every result but OK and DESTROY_ME there as
	 * DISCONNECT_ME (reference section 2).
	 * @param result the result
	 * @return {@code true} when the caller should stop what it was doing
	 */
	protected final boolean actOnStateOrRx(StreamResult result) {
		return act((result == StreamResult.TX_DONT_SEND) ? StreamResult.DISCONNECT_ME : result);
	}

	/**
	 * Closes the current connection, if any, because the handler asked to.
	 */
	protected abstract void disconnect();

	/**
	 * Releases what the subclass holds (timers, connections) when the stream is destroyed.
	 */
	protected abstract void releaseResources();

	/**
	 * Delivers CREATING synchronously on the calling thread, as {@code lws_ss_create} does.
	 * @return the handler's result
	 */
	public final StreamResult deliverCreating() {
		boolean hold = !this.loop.inEventLoop() || this.heldDuringCreating != null;
		if (hold) {
			holdUntilCreating();
		}
		StreamResult result = null;
		try {
			joinContext();
			result = emit(StreamState.CREATING, 0);
			return result;
		}
		finally {
			if (hold) {
				if (result == StreamResult.DESTROY_ME) {
					// The caller destroys the stream at once: what was held must not run on the loop.
					this.destroyScheduled = true;
				}
				releaseHeld();
			}
		}
	}

	/**
	 * Holds the loop tasks asked for from now on until {@link #deliverCreating()} has delivered
	 * CREATING, for a stream whose handle reaches application code before that: a local sink's
	 * source is the stream of the sink's SINK_JOIN, and a call made on it there must not run
	 * before CREATING (a connection started, or the stream destroyed and then reported CREATING).
	 */
	public final void holdUntilCreating() {
		synchronized (this.holding) {
			if (this.heldDuringCreating == null) {
				this.heldDuringCreating = new ArrayList<>();
			}
		}
	}

	/**
	 * Destroys a stream whose creation failed before CREATING: what was held for it is dropped,
	 * and nothing reaches its handler.
	 */
	public final void destroyUncreated() {
		this.destroyScheduled = true;
		releaseHeld();
		destroyNow();
	}

	/**
	 * Adds the stream to its context's live streams, for streams whose CREATING comes later
	 * (a proxied stream reports it when the proxy confirmed the creation).
	 */
	protected final void joinContext() {
		this.runtime.register(this);
	}

	/**
	 * Returns whether CREATING was reported.
	 * @return {@code true} once CREATING went to the handler
	 */
	protected final boolean creatingDelivered() {
		return this.states.creatingDelivered();
	}

	/**
	 * Returns whether the stream's destruction is decided (DESTROY_ME, or {@code destroy()} on its
	 * loop) and has not run yet: nothing more is to be reported or started before it.
	 * @return {@code true} between the decision and the destruction
	 */
	protected final boolean destructionDecided() {
		return this.destroyScheduled && !this.destroyed;
	}

	/**
	 * Schedules destruction after the current callback returns.
	 */
	protected final void destroyLater() {
		if (!this.destroyScheduled) {
			this.destroyScheduled = true;
			// A timeout due now must not report TIMEOUT to a handler that asked to be destroyed.
			this.timeout.cancel();
			quiesce();
			submit(this::destroyNow);
		}
	}

	/**
	 * Returns whether this stream can carry on under a changed streamtype. A stream served in one
	 * way (by the network, or by a local sink) cannot turn into one served the other way.
	 * @param changed the streamtype's new policy
	 * @return {@code true} unless the change moves the streamtype to another kind of stream
	 */
	public boolean canFollow(StreamTypePolicy changed) {
		return true;
	}

	/**
	 * The streamtype's policy changed (a new base policy replaced the old one): remember it
	 * and, for streams with a connection, drop it so the next one follows the new policy.
	 * @param changed the new streamtype policy
	 */
	public void policyChanged(StreamTypePolicy changed) {
		execute(() -> {
			this.policy = changed;
			this.metadata.policy(changed);
			disconnectForPolicyChange();
		});
	}

	/**
	 * Drops the connection after a policy change; by default as {@link #disconnect()} does.
	 */
	protected void disconnectForPolicyChange() {
		disconnect();
	}

	/**
	 * Stops delivering connection events once destruction is decided, so nothing reaches the
	 * handler between a DESTROY_ME and the actual destruction.
	 */
	protected void quiesce() {
	}

	/**
	 * Destroys the stream now: releases resources, reports DISCONNECTED when still connected
	 * and DESTROYING when CREATING was reported, and leaves the context.
	 */
	public final void destroyNow() {
		if (this.destroyed) {
			return;
		}
		this.destroyed = true;
		this.timeout.cancel();
		releaseResources();
		if (owesDisconnected()) {
			emit(StreamState.DISCONNECTED, 0);
		}
		if (creatingDelivered()) {
			emit(StreamState.DESTROYING, 0);
		}
		this.runtime.unregister(this);
		this.destruction.complete(null);
	}

	@Override
	public void destroy() {
		if (this.loop.inEventLoop() && this.heldDuringCreating == null) {
			// From a callback (or other work on the stream's loop): as DESTROY_ME, so that the
			// binding that made the callback does not go on calling the handler (an onTx for a
			// request made before or just after) and nothing reaches it before the destruction.
			destroyLater();
			return;
		}
		dispatch(() -> {
			// A destruction already decided (DESTROY_ME) runs its own destroyNow.
			if (!this.destroyScheduled) {
				destroyNow();
			}
		}, this::contextStopped); // the loops have stopped: nothing can run for this stream any more
	}

	/**
	 * Marks the stream gone once its context's event loops have stopped without destroying it
	 * (the shutdown timeout passed), so that {@link #whenDestroyed()} completes.
	 */
	public final void contextStopped() {
		this.destroyed = true;
		this.runtime.unregister(this);
		this.destruction.complete(null);
	}

	@Override
	public CompletionStage<Void> whenDestroyed() {
		return this.destruction.minimalCompletionStage();
	}

	@Override
	public void setMetadata(String name, String value) {
		setMetadata(name, value.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void setMetadata(String name, byte[] value) {
		// Checked against the policy in force: once a policy change has returned, the names it
		// declares are settable, though this stream's loop may not have taken the change yet.
		StreamTypePolicy current = this.runtime.policy().streamType(streamType());
		this.metadata.set(name, value, (current != null) ? current : this.policy);
	}

	@Override
	public @Nullable String metadata(String name) {
		return this.metadata.text(name);
	}

	@Override
	public byte @Nullable [] metadataBytes(String name) {
		return this.metadata.bytes(name);
	}

	@Override
	public void startTimeout(long millis) {
		if (millis < 0) {
			// Refused here as the proxied client refuses it, rather than taken for the policy's.
			throw new IllegalArgumentException("timeout must not be negative, got " + millis + " ms");
		}
		execute(() -> {
			long delay = (millis > 0) ? millis : this.policy.timeoutMs();
			// As lws_ss_start_timeout: with no time to start, a running timer is left as it is.
			if (delay > 0) {
				this.timeout.start(delay);
			}
		});
	}

	@Override
	public void cancelTimeout() {
		execute(this.timeout::cancel);
	}

	@Override
	public void changeHandler(StreamHandler handler) {
		// Refused here: taken, it made every later callback fail, each taken as DISCONNECT_ME.
		this.calls.handler(Objects.requireNonNull(handler, "handler"));
	}

	@Override
	public void serverAck(int status) {
		throw new UnsupportedOperationException("serverAck is only for accepted server streams");
	}

	@Override
	public @Nullable SocketAddress localAddress() {
		return null;
	}

	@Override
	public List<SecureStream> acceptedStreams() {
		return List.of();
	}

	/**
	 * Returns failed attempts since the last success, for monitoring.
	 * @return the count
	 */
	protected int retries() {
		return 0;
	}

	/**
	 * Returns the id of the listener that accepted this stream.
	 * @return the listener id, or 0
	 */
	protected long listenerId() {
		return 0;
	}

	@Override
	public StreamInfo info() {
		StreamState current = this.states.current();
		SocketAddress peer = peerAddress();
		return new StreamInfo(this.id, streamType(), this.role, (current != null) ? current.name() : null,
				this.statistics.stateSince(), retries(), this.statistics.bytesIn(), this.statistics.bytesOut(),
				(peer != null) ? peer.toString() : null, listenerId(), this.statistics.httpStatus());
	}

	/**
	 * Records the status of a final http response head, for {@link #info()}.
	 * @param status the status code
	 */
	protected final void httpStatusReceived(int status) {
		this.statistics.httpStatus(status);
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.id + " " + streamType() + " " + this.states.current() + "]";
	}

}
