package io.securestreams.internal;

import java.net.SocketAddress;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.file.FileSource;
import io.securestreams.retry.RetryTracker;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import io.securestreams.transport.EndpointResolver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client stream: owns its current connection attempt, opens each attempt's connection under
 * the streamtype's policy in force, times transactions, and takes the application's and a
 * proxy's requests. Its {@link ConnectionSequencer} decides when to connect, back off, retry and
 * give up, following libwebsockets' {@code secure-streams.c} sequencing.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ClientStream extends LinkedStream implements OnwardStream {

	/** The window a proxy's onward stream offers at a time: h2's initial stream window. */
	static final int ONWARD_MAX_PEER_TX_WINDOW = 65_535;

	private static final Logger logger = LoggerFactory.getLogger(ClientStream.class);

	private final RetryTracker retry;

	private final ConnectionSequencer sequencer;

	private final boolean proxied;

	private @Nullable ClientAttempt attempt;

	private long txnStartNanos;

	// The proxy's rx flow control outlives connections: a pause asked for while the stream has
	// no connection, or kept over a reconnect, applies to the next one when it is CONNECTED.
	private boolean rxPaused;

	// A proxied client's ONWARD_CONNECT handed to an idle kept-alive connection, until that
	// connection starts the transaction (CONNECTING) or closes instead (its target changed): then
	// the new connection is made as ONWARD_CONNECT makes one, without POLL.
	private boolean onwardConnectPending;

	// A connect() asked while the connection was closing (from the callback that returned
	// DISCONNECT_ME, say): carried out once the close is handled, as its order asks.
	private boolean connectAfterClose;

	private volatile @Nullable BiConsumer<String, byte[]> metadataObserver;

	private volatile @Nullable IntConsumer txCreditObserver;

	private final int initialPeerTxCredit;

	// The streamtype whose body part the current http request is sending, else null.
	private volatile @Nullable String rideshare;

	/**
	 * Creates a client stream; call {@link #deliverCreating()} next.
	 * @param runtime the context internals
	 * @param policy the streamtype
	 * @param handler the application's handler
	 * @param loop the event loop the stream lives on
	 * @param proxied whether the stream is a proxy's onward stream
	 * @param initialPeerTxCredit the credit the peer starts with on each h2 stream, or 0 for
	 * automatic flow control
	 */
	public ClientStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, EventLoop loop,
			boolean proxied, int initialPeerTxCredit) {
		super(runtime, policy, handler, StreamRole.CLIENT, loop);
		this.retry = new RetryTracker(runtime.random16());
		this.sequencer = new ConnectionSequencer(this, this.retry);
		this.proxied = proxied;
		this.initialPeerTxCredit = initialPeerTxCredit;
	}

	/**
	 * Connects at creation when the streamtype is nailed up (no POLL, as in libwebsockets),
	 * unless the stream has already started connecting.
	 */
	public void startIfNailedUp() {
		if (this.policy.nailedUp()) {
			execute(this.sequencer::startAtCreation);
		}
	}

	@Override
	public void requestTx() {
		if (this.loop.inEventLoop()) {
			// Asked from a callback on this loop: a binding that is sending right now (a ws or MQTT
			// writer looping over onTx, an http transaction ending) sees the request at once and
			// carries on in the same run. Starting a connection still waits for the task below, so
			// no state is ever reported from inside a callback; the task must not raise the flag
			// again, since the binding may already have taken this request.
			this.txRequested = true;
			execute(this::kick);
			return;
		}
		execute(() -> {
			this.txRequested = true;
			kick();
		});
	}

	@Override
	public void requestTxLen(long length) {
		if (length < 0) {
			throw new IllegalArgumentException("length must not be negative");
		}
		execute(() -> {
			announceTxLength(length);
			this.txRequested = true;
			kick();
		});
	}

	private void kick() {
		ClientAttempt current = this.attempt;
		if (current != null) {
			current.connection().requestWrite();
		}
		else if (this.sequencer.mayStart()) {
			this.sequencer.startAttempt(true);
		}
	}

	@Override
	public void connect() {
		execute(() -> {
			ClientAttempt current = this.attempt;
			if (current == null) {
				this.sequencer.restart();
			}
			else if (current.isClosing()) {
				this.connectAfterClose = true;
			}
			// Otherwise already connecting or connected: nothing to do, and the retry count stays.
		});
	}

	// After a close was handled (DISCONNECTED or UNREACHABLE reported, a retry maybe scheduled):
	// the connect() asked meanwhile starts an attempt, unless one was started already.
	private void connectIfAskedWhileClosing() {
		if (this.connectAfterClose) {
			this.connectAfterClose = false;
			if (this.attempt == null && !isDestroyed() && !destructionDecided()) {
				this.sequencer.restart();
			}
		}
	}

	/**
	 * Returns whether the streamtype is still one a client connects with: one an overlay made a
	 * local sink or a server must not go on connecting anywhere, and one turned to MQTT cannot be
	 * carried by a stream living on another event loop than the one MQTT streams share.
	 * @param changed the streamtype's new policy
	 * @return {@code false} for a local sink or server streamtype, or an MQTT one off its loop
	 */
	@Override
	public boolean canFollow(StreamTypePolicy changed) {
		if (changed.localSink() || changed.server()) {
			return false;
		}
		if (changed.protocol() == Protocol.MQTT) {
			// A broker connection, shared by every stream with its client id, lives on that loop
			// only; from another loop the stream would open a second one, which the runtime
			// refuses for the client id in use, so it would fail every attempt for ever.
			Object affinity = this.runtime.clientProtocol(Protocol.MQTT).loopAffinity(changed);
			return affinity == null || this.runtime.transport().loopFor(affinity) == this.loop;
		}
		return true;
	}

	/**
	 * A proxied client's ONWARD_CONNECT: connect when there is no connection; on a connection
	 * kept alive between http transactions, start the next transaction; on one the runtime is
	 * closing (a policy change), connect once its close is handled, as for a kept connection that
	 * closes instead of carrying the transaction; otherwise (connecting, or a transaction in
	 * progress) nothing, as the C proxy ignores it then.
	 */
	@Override
	public void onwardConnect() {
		execute(() -> {
			ClientAttempt current = this.attempt;
			if (current == null) {
				this.sequencer.restart();
			}
			else if (current.connection().isIdle()) {
				this.txRequested = true;
				this.onwardConnectPending = true;
				current.connection().requestWrite();
			}
			else if (current.isClosing()) {
				// Its channel may be inactive already, with the close not handled yet: ignored,
				// the request was lost and the client waited for good.
				this.onwardConnectPending = true;
			}
		});
	}

	/**
	 * Returns whether an ONWARD_CONNECT was waiting for the kept-alive connection that just
	 * closed without starting it, and forgets it.
	 * @return {@code true} when the next attempt answers an ONWARD_CONNECT
	 */
	boolean takeOnwardConnect() {
		boolean pending = this.onwardConnectPending;
		this.onwardConnectPending = false;
		return pending;
	}

	/**
	 * Opens a new attempt's connection under the streamtype's policy in force, once the sequencer
	 * reported CONNECTING; an attempt that cannot even start fails at once.
	 */
	void openAttempt() {
		this.txnStartNanos = System.nanoTime();
		Policy active = this.runtime.policy();
		StreamTypePolicy current = active.streamType(streamType());
		ClientAttempt next = new ClientAttempt(this, active, (current != null) ? current : this.policy,
				(current != null) ? active.retryFor(current) : null,
				(current != null && current.useAuth() != null) ? active.auth().get(current.useAuth()) : null);
		try {
			if (current == null) {
				throw new IllegalStateException("the active policy no longer has streamtype '" + streamType() + "'");
			}
			this.policy = current;
			this.metadata.policy(current);
			String endpoint = this.metadata.expand(current.endpoint());
			if (FileSource.isFileEndpoint(endpoint)) {
				this.attempt = next;
				next.bind(FileSource.start(current.endpoint(), endpoint, next));
				logger.debug("stream {} ({}): reading {}", id(), streamType(), endpoint);
				return;
			}
			ConnectTarget target = EndpointResolver.resolve(current, this.metadata, active.viaSocks5(),
					this.runtime.transport());
			ClientProtocol protocol = this.runtime.clientProtocol(current.protocol());
			SslContext tls = target.tls()
					? this.runtime.tls().clientContext(active, current, this.runtime.blobs(), protocol.alpn(current))
					: null;
			this.attempt = next;
			next.target(target);
			next.bind(protocol.connect(target, tls, this.runtime.connector(), next));
			logger.debug("stream {} ({}): connecting to {}", id(), streamType(), target);
		}
		catch (RuntimeException ex) {
			logger.warn("stream {} ({}): connection attempt failed: {}", id(), streamType(), ex.getMessage());
			this.attempt = next;
			attemptFailed(next, 0);
		}
	}

	boolean isCurrent(ClientAttempt candidate) {
		return this.attempt == candidate && !isDestroyed();
	}

	boolean isProxied() {
		return this.proxied;
	}

	StreamResult report(ClientAttempt from, StreamState state, boolean established) {
		if (state == StreamState.CONNECTED) {
			if (established) {
				this.retry.reset();
			}
			if (this.rxPaused) {
				// Reads the connection made before it was usable (a TLS handshake, an upgrade
				// response's tail) may already have been delivered; from here on it waits.
				from.connection().setRxPaused(true);
			}
		}
		else if (state == StreamState.CONNECTING) {
			this.txnStartNanos = System.nanoTime();
			this.onwardConnectPending = false;
		}
		StreamResult result = emit(state, 0);
		if (state == StreamState.QOS_ACK_REMOTE || state == StreamState.QOS_NACK_REMOTE) {
			this.runtime.transactionCompleted(this, state, System.nanoTime() - this.txnStartNanos);
		}
		return result;
	}

	/**
	 * The connection proved established after a CONNECTED reported early: failures so far are
	 * forgotten, as at an established connection's CONNECTED.
	 */
	void established() {
		this.retry.reset();
	}

	/**
	 * The attempt failed before it was usable: the sequencer reports UNREACHABLE and backs off,
	 * unless the runtime itself closed the attempt for a policy change.
	 */
	void attemptFailed(ClientAttempt failed, long minDelayMillis) {
		this.attempt = null;
		abandonTxMessage();
		failed.deactivate();
		if (reportTimings(failed)) {
			return;
		}
		if (failed.closingForPolicyChange()) {
			// The runtime cut the attempt short (a pending connect, TLS handshake or ws upgrade
			// ends as a failure in the bindings): nothing failed, so no UNREACHABLE and no backoff.
			reconnectForPolicyChange();
		}
		else {
			this.sequencer.attemptFailed(minDelayMillis);
		}
		connectIfAskedWhileClosing();
	}

	void attemptClosed(ClientAttempt closed, boolean reconnect) {
		this.attempt = null;
		closed.deactivate();
		abandonTxMessage();
		if (reportTimings(closed)) {
			return;
		}
		if (closed.closingForPolicyChange() && !danglingConnected()) {
			reconnectForPolicyChange();
		}
		else {
			this.sequencer.attemptClosed(reconnect, closed.closingForPolicyChange());
		}
		connectIfAskedWhileClosing();
	}

	/**
	 * An attempt closed because the streamtype's policy changed reconnects at once under the new
	 * policy, as a connected stream does: one that had reported CONNECTED goes through DISCONNECTED
	 * (the sequencer's policy-change path); one still connecting stays CONNECTING and its attempt
	 * starts over, since it never failed and the handler is still waiting for its outcome.
	 */
	private void reconnectForPolicyChange() {
		if (danglingConnected()) {
			this.sequencer.attemptClosed(true, true);
		}
		else {
			logger.debug("stream {} ({}): connecting again under the changed policy", id(), streamType());
			openAttempt();
		}
	}

	/**
	 * As libwebsockets' connection monitor: a {@code perf} streamtype receives the timings of a
	 * connection that ended as one PERF_JSON rx, before the state that tells of the end.
	 * @return {@code true} when the handler destroyed the stream from that rx
	 */
	private boolean reportTimings(ClientAttempt ended) {
		ConnectionTimings timings = ended.timings();
		byte[] json = (timings != null) ? timings.takeReport() : null;
		if (json == null || isDestroyed()) {
			return false;
		}
		StreamResult result = deliverRx(Unpooled.wrappedBuffer(json),
				StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON);
		// The connection is gone already, so only DESTROY_ME has anything left to act on.
		return result == StreamResult.DESTROY_ME && act(result);
	}

	@Override
	protected void disconnect() {
		ClientAttempt current = this.attempt;
		if (current != null) {
			current.closing();
			current.connection().close();
		}
	}

	@Override
	protected void disconnectForPolicyChange() {
		ClientAttempt current = this.attempt;
		if (current != null) {
			current.closeForPolicyChange();
			current.connection().close();
		}
	}

	@Override
	protected void quiesce() {
		ClientAttempt current = this.attempt;
		if (current != null) {
			current.deactivate();
		}
		this.sequencer.cancelRetryTimer();
	}

	@Override
	protected void releaseResources() {
		this.sequencer.cancelRetryTimer();
		ClientAttempt current = this.attempt;
		this.attempt = null;
		if (current != null) {
			current.deactivate();
			current.connection().close();
		}
		this.runtime.streamDestroyed(id());
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		ClientAttempt current = this.attempt;
		return (current != null) ? current.connection().peerAddress() : null;
	}

	@Override
	public void validityConfirmed() {
		execute(() -> {
			ClientAttempt current = this.attempt;
			if (current != null) {
				current.connection().validityConfirmed();
			}
		});
	}

	/**
	 * Closes the current connection, from any thread, as a DISCONNECT_ME result of a callback
	 * would: for a proxy whose onward stream lives on another event loop than its link.
	 */
	@Override
	public void disconnectLater() {
		execute(this::disconnect);
	}

	/**
	 * Pauses or resumes reading from the onward connection (the proxy's flow control).
	 * @param paused whether to stop reading
	 */
	@Override
	public void setRxPaused(boolean paused) {
		Runnable apply = () -> {
			this.rxPaused = paused;
			ClientAttempt current = this.attempt;
			if (current != null) {
				current.connection().setRxPaused(paused);
			}
		};
		if (this.loop.inEventLoop()) {
			// Takes effect before the connection's current read loop goes on reading.
			if (!isDestroyed()) {
				apply.run();
			}
		}
		else {
			execute(apply);
		}
	}

	/**
	 * Observes the metadata values the protocol receives from the peer (response headers), as a
	 * proxy needs them to pass them on to its client. Called on the stream's event loop.
	 * @param observer receives each name and value, or {@code null} to stop observing
	 */
	@Override
	public void observeReceivedMetadata(@Nullable BiConsumer<String, byte[]> observer) {
		this.metadataObserver = observer;
	}

	void receivedMetadata(String name, byte[] value) {
		this.metadata.setReceived(name, value);
		BiConsumer<String, byte[]> observer = this.metadataObserver;
		if (observer != null) {
			observer.accept(name, value);
		}
	}

	/**
	 * Observes the tx credit the protocol reports (an h2 stream's send window when its response
	 * head arrives), as a proxy needs it to pass it on to its client. Called on the stream's event
	 * loop.
	 * @param observer receives each credit, or {@code null} to stop observing
	 */
	@Override
	public void observeTxCredit(@Nullable IntConsumer observer) {
		this.txCreditObserver = observer;
	}

	/**
	 * Returns the credit the peer starts with on each h2 stream.
	 * @return the bytes, or 0 for automatic flow control
	 */
	int initialPeerTxCredit() {
		return this.initialPeerTxCredit;
	}

	/**
	 * Returns the largest window offered to the peer at a time under an initial credit: a proxy's
	 * onward stream offers what automatic flow control would (h2's initial stream window), so
	 * that the proxy holds no more unread while its client does not read; a direct stream offers
	 * all its credit, as libwebsockets does.
	 * @return the bytes
	 */
	int maxPeerTxWindow() {
		return this.proxied ? ONWARD_MAX_PEER_TX_WINDOW : Integer.MAX_VALUE;
	}

	/**
	 * Passes a grant to the current connection; one made while there is none is dropped, as
	 * libwebsockets drops it without a connection.
	 */
	@Override
	public void addPeerTxCredit(int delta) {
		checkPeerTxCredit(delta);
		execute(() -> {
			ClientAttempt current = this.attempt;
			if (current != null) {
				current.connection().addPeerTxCredit(delta);
			}
		});
	}

	@Override
	public int estimatedPeerTxCredit() {
		// Read from any thread, as peerAddress() is: an attempt just replaced may answer once more.
		ClientAttempt current = this.attempt;
		return (current != null && this.initialPeerTxCredit > 0) ? current.connection().estimatedPeerTxCredit() : 0;
	}

	@Override
	public String rideshare() {
		String current = this.rideshare;
		return (current != null) ? current : streamType();
	}

	void rideshare(String streamType) {
		this.rideshare = streamType;
	}

	void peerTxCredit(int credit) {
		IntConsumer observer = this.txCreditObserver;
		if (observer != null) {
			observer.accept(credit);
		}
	}

	@Override
	protected int retries() {
		return this.retry.failures();
	}

}
