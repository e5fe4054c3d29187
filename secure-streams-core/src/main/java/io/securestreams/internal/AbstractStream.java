package io.securestreams.internal;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.SecureStream;
import io.securestreams.StateTransitions;
import io.securestreams.StreamHandler;
import io.securestreams.StreamInfo;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every kind of stream shares: identity, handler calls with the buffer rules, state
 * reporting checked against the transition table, metadata, the stream timer, statistics and
 * destruction. Everything except the public thread-safe API runs on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class AbstractStream implements SecureStream {

	private static final Logger logger = LoggerFactory.getLogger(AbstractStream.class);

	/** What an empty rx delivers, and what a slot holds outside a tx callback. */
	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

	protected final StreamsRuntime runtime;

	protected final EventLoop loop;

	protected final MetadataValues metadata;

	protected volatile StreamTypePolicy policy;

	private final long id;

	private final StreamRole role;

	private final StateTransitions transitions;

	private volatile StreamHandler handler;

	private volatile @Nullable StreamState state;

	private @Nullable StreamState checkedPrevious;

	private volatile long stateSinceMillis = System.currentTimeMillis();

	protected volatile long bytesIn;

	protected volatile long bytesOut;

	private boolean creatingDelivered;

	private volatile boolean destroyed;

	private boolean destroyScheduled;

	protected boolean danglingConnected;

	private @Nullable ScheduledFuture<?> timeout;

	private final TxSlot txSlot = new TxSlot();

	private int txOrdinal;

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
		this.handler = handler;
		this.role = role;
		this.loop = loop;
		this.id = runtime.nextId();
		this.metadata = new MetadataValues(policy);
		this.transitions = transitions;
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
		return this.state;
	}

	@Override
	public StreamHandler handler() {
		return this.handler;
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

	private void submit(Runnable task) {
		try {
			this.loop.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// The context was shut down: every stream is already destroyed, so there is nothing to do.
			logger.debug("stream {} ({}): ignoring a call after the context shut down", this.id, streamType());
		}
	}

	/**
	 * Reports a state to the handler, after checking the transition table.
	 * @param next the state
	 * @param ack the state's argument
	 * @return the handler's result; DESTROY_ME for an illegal transition
	 */
	protected final StreamResult emit(StreamState next, long ack) {
		StreamState previous = this.checkedPrevious;
		if (!this.transitions.isAllowed(previous, next)) {
			this.runtime.illegalTransition(this, previous, next);
			return StreamResult.DESTROY_ME;
		}
		if (!this.transitions.bypasses(next)) {
			this.checkedPrevious = next;
		}
		return deliverState(next, ack);
	}

	/**
	 * Reports a state without consulting the transition table and without remembering it as the
	 * previous state: for states a proxied client generates itself ({@code UPSTREAM_LINK_RETRY}).
	 * @param next the state
	 * @param ack the state's argument
	 * @return the handler's result
	 */
	protected final StreamResult emitUnchecked(StreamState next, long ack) {
		return deliverState(next, ack);
	}

	private StreamResult deliverState(StreamState next, long ack) {
		StreamState old = this.state;
		this.state = next;
		this.stateSinceMillis = System.currentTimeMillis();
		if (next == StreamState.CONNECTED) {
			this.danglingConnected = true;
		}
		else if (next == StreamState.DISCONNECTED) {
			this.danglingConnected = false;
		}
		else if (next == StreamState.CREATING) {
			this.creatingDelivered = true;
		}
		this.runtime.stateChanged(this, old, next);
		try {
			return orOk(this.handler.onState(this, next, ack));
		}
		catch (RuntimeException | Error ex) {
			return threw("onState(" + next + ")", ex);
		}
	}

	/**
	 * Returns the last state that went through the transition table.
	 * @return the state, {@code null} before CREATING
	 */
	protected final @Nullable StreamState checkedState() {
		return this.checkedPrevious;
	}

	/**
	 * Delivers payload to the handler as a read-only JDK buffer valid only during the call.
	 * @param data the payload; not released here
	 * @param flags the flags
	 * @return the handler's result
	 */
	protected final StreamResult deliverRx(ByteBuf data, int flags) {
		int length = data.readableBytes();
		ByteBuffer view = (length == 0) ? EMPTY : data.nioBuffer(data.readerIndex(), length).asReadOnlyBuffer();
		this.bytesIn += length;
		try {
			return orOk(this.handler.onRx(this, view, flags));
		}
		catch (RuntimeException | Error ex) {
			return threw("onRx", ex);
		}
	}

	/**
	 * Lets the handler write into a buffer's writable bytes and advances its writer index.
	 * @param buffer the buffer to fill
	 * @param remaining bytes still owed of an announced length, or -1
	 * @return what the handler did
	 */
	protected final TxResult deliverTx(ByteBuf buffer, long remaining) {
		int capacity = buffer.writableBytes();
		ByteBuffer window = buffer.nioBuffer(buffer.writerIndex(), capacity);
		this.txSlot.reset(window, this.txOrdinal++, remaining);
		StreamResult result;
		try {
			result = orOk(this.handler.onTx(this, this.txSlot));
		}
		catch (RuntimeException | Error ex) {
			result = threw("onTx", ex);
		}
		// Accept a flipped buffer too: position 0 with a shortened limit means "limit bytes".
		int length = (window.position() == 0 && window.limit() < capacity) ? window.limit() : window.position();
		int flags = this.txSlot.flags();
		this.txSlot.reset(EMPTY, 0, -1);
		if (result != StreamResult.OK) {
			return new TxResult(result, flags, 0);
		}
		buffer.writerIndex(buffer.writerIndex() + length);
		this.bytesOut += length;
		return new TxResult(result, flags, length);
	}

	private static StreamResult orOk(@Nullable StreamResult result) {
		return (result != null) ? result : StreamResult.OK;
	}

	private StreamResult threw(String what, Throwable ex) {
		logger.error("stream {} ({}): handler {} threw; disconnecting", this.id, streamType(), what, ex);
		return StreamResult.DISCONNECT_ME;
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
		joinContext();
		return emit(StreamState.CREATING, 0);
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
		return this.creatingDelivered;
	}

	/**
	 * Schedules destruction after the current callback returns.
	 */
	protected final void destroyLater() {
		if (!this.destroyScheduled) {
			this.destroyScheduled = true;
			quiesce();
			submit(this::destroyNow);
		}
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
			disconnect();
		});
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
		cancelTimer();
		releaseResources();
		if (this.danglingConnected) {
			emit(StreamState.DISCONNECTED, 0);
		}
		if (this.creatingDelivered) {
			emit(StreamState.DESTROYING, 0);
		}
		this.runtime.unregister(this);
	}

	@Override
	public void destroy() {
		submit(this::destroyNow);
	}

	@Override
	public void setMetadata(String name, String value) {
		this.metadata.set(name, value.getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void setMetadata(String name, byte[] value) {
		this.metadata.set(name, value);
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
		execute(() -> {
			cancelTimer();
			long delay = (millis > 0) ? millis : this.policy.timeoutMs();
			if (delay > 0) {
				this.timeout = this.loop.schedule(this::timeoutFired, delay, TimeUnit.MILLISECONDS);
			}
		});
	}

	private void timeoutFired() {
		this.timeout = null;
		if (!this.destroyed) {
			act(emit(StreamState.TIMEOUT, 0));
		}
	}

	@Override
	public void cancelTimeout() {
		execute(this::cancelTimer);
	}

	private void cancelTimer() {
		if (this.timeout != null) {
			this.timeout.cancel(false);
			this.timeout = null;
		}
	}

	@Override
	public void changeHandler(StreamHandler handler) {
		this.handler = handler;
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
		StreamState current = this.state;
		SocketAddress peer = peerAddress();
		return new StreamInfo(this.id, streamType(), this.role, (current != null) ? current.name() : null,
				Instant.ofEpochMilli(this.stateSinceMillis), retries(), this.bytesIn, this.bytesOut,
				(peer != null) ? peer.toString() : null, listenerId());
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.id + " " + streamType() + " " + this.state + "]";
	}

}
