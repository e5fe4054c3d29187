package io.securestreams;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.securestreams.internal.AbstractStream;
import io.securestreams.internal.ClientProtocols;
import io.securestreams.internal.ContextAccess;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.client.ProxiedStreams;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.sink.SinkRegistration;
import io.securestreams.smd.SmdBus;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.smd.SmdStream;
import io.securestreams.policy.overlay.PolicyOverlays;
import io.securestreams.server.ServerProtocols;
import io.securestreams.transport.Connector;
import io.securestreams.transport.EndpointResolver;
import io.securestreams.transport.HostNameLookup;
import io.securestreams.transport.TransportResources;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Secure Streams context, the counterpart of a libwebsockets {@code lws_context} with a
 * policy: it owns the event loops, holds the active policy and creates streams of the
 * streamtypes the policy defines.
 * <pre>{@code
 * try (SecureStreams streams = SecureStreams.builder(policy).build()) {
 *     SecureStream stream = streams.create("mintest", handler);
 *     stream.requestTx();
 * }
 * }</pre>
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreams implements AutoCloseable {

	/** The default address of libwebsockets' proxy on Linux. */
	public static final String DEFAULT_PROXY = "+@proxy.ss.lws";

	private static final Logger logger = LoggerFactory.getLogger(SecureStreams.class);

	// The longest a shutdown waits for its streams: longer timeouts would overflow the nanosecond
	// arithmetic of its deadline (Duration.toNanos throws beyond about 292 years).
	private static final Duration MAX_SHUTDOWN_WAIT = Duration.ofNanos(Long.MAX_VALUE / 4);

	// The longest the connections still open at the end of a shutdown get to close through their
	// protocols: only a peer that takes nothing (a TLS close_notify that cannot be flushed waits
	// three seconds) needs it, and then goes without the goodbye.
	private static final Duration CHANNEL_CLOSE_WAIT = Duration.ofSeconds(1);

	private final TransportResources transport;

	private final StreamsRuntime runtime;

	private final DirectStreams direct;

	private final Duration shutdownTimeout;

	private final @Nullable ProxiedStreams proxied;

	private final PolicyOverlays policies;

	private volatile boolean closed;

	// Completes once the first close() has stopped the context; a later close() waits for it.
	private final CompletableFuture<Void> stopped = new CompletableFuture<>();

	// The thread running the shutdown: what it completes (whenDestroyed, listeners) may call
	// close() again, which must not wait for itself.
	private volatile @Nullable Thread stopping;

	// Calls of create() and createSmd() under way. A call that passed the closed check registers
	// its stream a moment later, so stop() waits for these to end before it trusts a pass that
	// found no stream left: otherwise such a stream lived on, never destroyed, on stopped loops.
	private final AtomicInteger creating = new AtomicInteger();

	// The creations under way on this thread: CREATING is a callback on the creating thread, and
	// a close() from it must not wait for the creation it is part of.
	private final ThreadLocal<int[]> creatingHere = ThreadLocal.withInitial(() -> new int[1]);

	private final Object policyChanges = new Object();

	private final List<PolicyChangeListener> policyListeners = new CopyOnWriteArrayList<>();

	private SecureStreams(Builder builder) {
		ClientProtocols protocols = ClientProtocols.builtIn();
		this.policies = new PolicyOverlays(builder.policy, protocols::checkChange);
		this.transport = TransportResources.create(builder.eventLoopThreads, builder.transport, builder.hostNames);
		ServerProtocols serverProtocols = ServerProtocols.builtIn();
		this.runtime = new StreamsRuntime(this.transport, new Connector(this.transport, builder.connectTimeout),
				builder.blobs, () -> this.policies.current().policy(), builder.random16, protocols, builder.limits);
		builder.listeners.forEach(this.runtime::addListener);
		this.direct = new DirectStreams(this.runtime, protocols, serverProtocols);
		this.shutdownTimeout = builder.shutdownTimeout;
		try {
			this.proxied = (builder.proxy != null)
					? new ProxiedStreams(this.runtime, builder.proxy, builder.proxySocks5, builder.connectTimeout)
					: null;
		}
		catch (RuntimeException ex) {
			this.transport.close();
			throw ex;
		}
	}

	static {
		ContextAccess.install(new ContextAccess.Accessor() {

			@Override
			public StreamsRuntime runtime(SecureStreams context) {
				return context.runtime;
			}

			@Override
			public <T> T creation(SecureStreams context, Supplier<T> create) {
				return context.creation(create);
			}

			@Override
			public @Nullable ActivePolicy replacePolicyIf(SecureStreams context, Policy policy, BooleanSupplier proceed,
					Runnable replaced) {
				return context.replacePolicyIf(policy, proceed, replaced);
			}

		});
	}

	/**
	 * Starts building a context. A parsed policy has been validated already; one built in code is
	 * validated here, as {@link #replacePolicy} does (references to retry schemes, trust stores,
	 * certificates and auth schemes that the policy does not define).
	 * @param policy the policy database
	 * @return a builder
	 * @throws io.securestreams.policy.PolicyException if the policy is invalid, naming each
	 * problem's place
	 */
	public static Builder builder(Policy policy) {
		PolicyValidator.throwIfErrors(PolicyValidator.validate(Objects.requireNonNull(policy, "policy")));
		return new Builder(policy);
	}

	/**
	 * Starts building a context in proxied mode: every stream it creates is fulfilled by a Secure
	 * Streams proxy (the Java {@link io.securestreams.proxy.SecureStreamsProxy} or libwebsockets'
	 * proxy), which holds the policy, so none is needed here. The application code is the same
	 * as with a direct context.
	 * @param proxyAddress {@code +@name} (Linux abstract socket, {@value #DEFAULT_PROXY} by default
	 * in libwebsockets), {@code +/path} (socket file) or {@code host:port}
	 * @return a builder
	 * @throws IllegalArgumentException for an address of none of these forms
	 */
	public static Builder proxiedBuilder(String proxyAddress) {
		Builder builder = new Builder(Policy.empty());
		builder.proxy = ProxyAddress.parse(proxyAddress);
		return builder;
	}

	/**
	 * Returns whether this context is closed or shutting down; it then refuses new streams and
	 * policy changes.
	 * @return {@code true} once {@link #close()} or {@link #shutdownGracefully(Duration)} was called
	 */
	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * Returns whether this context's streams are fulfilled by a proxy.
	 * @return {@code true} in proxied mode
	 */
	public boolean isProxied() {
		return this.proxied != null;
	}

	/**
	 * Creates a stream. CREATING is delivered to the handler before this returns, on the calling
	 * thread; a nailed-up streamtype then starts connecting.
	 * <p>
	 * For a server streamtype ({@code "server": true}) the stream is a listener: it binds the
	 * streamtype's {@code endpoint} (an interface name or address, {@code +/path} for a Unix
	 * socket, absent for the wildcard address) and {@code port} (0 for an ephemeral one, see
	 * {@link SecureStream#localAddress()}) before CREATING; every accepted connection becomes a
	 * stream of role {@link StreamRole#ACCEPTED} with the same handler. Create listeners from an
	 * application thread: on one of the context's event loops (from a callback) binding could
	 * deadlock, and the creation is refused.
	 * <p>
	 * In proxied mode the stream first connects to the proxy, and CREATING comes later, on the
	 * stream's event loop, once the proxy created its onward stream (as with libwebsockets'
	 * {@code lws_sspc_create}); an unknown streamtype is not an error here: the proxy refuses the
	 * creation, and the stream retries every second (see docs/proxy.md).
	 * @param streamType a streamtype of the active policy
	 * @param handler receives the stream's callbacks
	 * @return the stream
	 * @throws SecureStreamsException if the streamtype is unknown or cannot be carried, a server
	 * streamtype's policy is incomplete or its address cannot be bound, or the handler returned
	 * DESTROY_ME from CREATING
	 * @throws IllegalStateException for a server streamtype, when called on one of the context's
	 * event loops
	 */
	public SecureStream create(String streamType, StreamHandler handler) {
		Objects.requireNonNull(handler, "handler");
		if (SmdStream.STREAMTYPE.equals(streamType)) {
			// Built in, as in libwebsockets: a policy entry of that name is never consulted.
			return createSmd(0, handler);
		}
		return creation(() -> (this.proxied != null) ? this.proxied.create(streamType, handler)
				: this.direct.create(streamType, handler, 0));
	}

	/**
	 * Creates a stream as {@link #create(String, StreamHandler)} does, with the credit the peer
	 * starts with to send to it ({@code manual_initial_tx_credit} in libwebsockets' stream info).
	 * For a streamtype using h2, each transaction's h2 stream then opens with that receive window
	 * and is widened only by {@link SecureStream#addPeerTxCredit}: the application, not its reading,
	 * paces the server. h2 lets a server send the connection's initial stream window (65535 bytes)
	 * before any update, so a smaller credit counts as 65535. Streams of other protocols ignore
	 * the credit. In proxied mode the credit travels in the STREAMTYPE frame and the proxy's
	 * onward stream applies it.
	 * @param streamType a streamtype of the active policy
	 * @param handler receives the stream's callbacks
	 * @param initialPeerTxCredit the initial credit in bytes, or 0 for automatic flow control (the
	 * window is returned as the stream reads)
	 * @return the stream
	 * @throws SecureStreamsException as {@link #create(String, StreamHandler)} says
	 * @throws IllegalArgumentException when the credit is negative, or the streamtype is the
	 * built-in {@code _lws_smd} (whose creation field is a class mask: see {@link #createSmd})
	 */
	public SecureStream create(String streamType, StreamHandler handler, int initialPeerTxCredit) {
		Objects.requireNonNull(handler, "handler");
		if (initialPeerTxCredit < 0) {
			throw new IllegalArgumentException("an initial peer tx credit must be 0 or positive, got "
					+ initialPeerTxCredit);
		}
		if (SmdStream.STREAMTYPE.equals(streamType)) {
			throw new IllegalArgumentException("streamtype '" + SmdStream.STREAMTYPE
					+ "' takes a class mask, not a credit: use createSmd");
		}
		if (initialPeerTxCredit == 0) {
			return create(streamType, handler);
		}
		return creation(() -> (this.proxied != null)
				? this.proxied.create(streamType, handler, initialPeerTxCredit)
				: this.direct.create(streamType, handler, initialPeerTxCredit));
	}

	// Runs a creation counted in 'creating', after the closed check.
	private <T> T creation(Supplier<T> create) {
		int[] here = this.creatingHere.get();
		this.creating.incrementAndGet();
		here[0]++;
		try {
			if (this.closed) {
				throw new SecureStreamsException("this Secure Streams context is shut down");
			}
			return create.get();
		}
		finally {
			here[0]--;
			this.creating.decrementAndGet();
		}
	}

	/**
	 * Creates a stream of the built-in {@code _lws_smd} streamtype, which carries the messages of
	 * the system message bus, as {@code lws_ss_create} of that streamtype does with the class mask
	 * in {@code manual_initial_tx_credit}: it connects at once (CREATING, CONNECTING, CONNECTED),
	 * each message of a class in {@code classMask} arrives as one rx with SOM and EOM (the class
	 * and timestamp as two big-endian 64-bit numbers, then the payload: {@link SmdMessage#decode}
	 * reads it), and what an {@code onTx} writes in the same form is published on the bus, to
	 * every subscriber of its class, this stream too when its mask has the class. In a proxied
	 * context the stream carries the proxy's bus, as libwebsockets' proxy does.
	 * {@code create("_lws_smd", handler)} is the same stream with an empty mask (it can send, and
	 * receives nothing).
	 * @param classMask the {@link SmdClass} bits to receive, within {@link SmdClass#ALL}
	 * @param handler the stream's handler
	 * @return the stream
	 * @throws SecureStreamsException if the context is shut down or the handler refused CREATING
	 * @throws IllegalArgumentException for a mask with bits above the 32 a libwebsockets class
	 * mask has (the STREAMTYPE frame carries 32)
	 */
	public SecureStream createSmd(long classMask, StreamHandler handler) {
		Objects.requireNonNull(handler, "handler");
		if ((classMask & ~SmdClass.ALL) != 0) {
			// A proxied stream would lose the upper bits silently in the 32-bit credit field.
			throw new IllegalArgumentException("an SMD class mask has 32 bits, got 0x" + Long.toHexString(classMask));
		}
		return creation(() -> (this.proxied != null)
				? this.proxied.create(SmdStream.STREAMTYPE, handler, (int) classMask)
				: SmdStream.open(this.runtime, this.runtime.smd(), classMask, handler));
	}

	/**
	 * Returns this context's system message bus, where the runtime publishes captive portal
	 * results and the application may publish and subscribe. In a proxied context it is local to
	 * this process; the proxy's bus is reached through {@link #createSmd} streams.
	 * @return the bus
	 */
	public SmdBus smd() {
		return this.runtime.smd();
	}

	// One policy change at a time, from reading the policy before it to telling the streams:
	// two changes racing (a fetch's replacement and an application's overlay) could otherwise
	// reach a stream in the wrong order and leave it on a superseded streamtype policy. Streams
	// are told without waiting for their loops, so a callback that changes the policy in turn
	// cannot deadlock on this.
	private void policyChanged(Policy before, ActivePolicy result) {
		this.direct.policyChanged(before, result.policy());
		for (PolicyChangeListener listener : this.policyListeners) {
			try {
				listener.policyChanged(before, result);
			}
			catch (RuntimeException ex) {
				logger.warn("Policy change listener {} failed on policy version {}", listener, result.version(), ex);
			}
		}
	}

	/**
	 * Adds a listener told of every later policy change, in the order of the changes, as
	 * {@link PolicyChangeListener} describes. A proxied context holds no policy and tells none.
	 * @param listener the listener
	 */
	public void addPolicyChangeListener(PolicyChangeListener listener) {
		this.policyListeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * Removes a listener added by {@link #addPolicyChangeListener}; a change being made may still
	 * reach it.
	 * @param listener the listener
	 */
	public void removePolicyChangeListener(PolicyChangeListener listener) {
		this.policyListeners.remove(listener);
	}

	// As libwebsockets announces every policy it sets, with the time in seconds. Outside the
	// policy-change lock: a participant told in the publishing thread may change the policy in
	// turn (or fetch one, which ends in a change made on another thread).
	private ActivePolicy announced(ActivePolicy result) {
		this.runtime.smd()
			.publish(SmdClass.SYSTEM_STATE,
					"{\"policy\":\"updated\",\"ts\":" + System.currentTimeMillis() / 1000 + "}");
		return result;
	}

	/**
	 * Registers the local sink of a streamtype that sets {@code "local_sink": true}, as
	 * {@code lws_ss_create} with {@code LWSSSINFLAGS_REGISTER_SINK} does: streams later created of
	 * that streamtype are served in-process by {@code handler} instead of connecting. Each such
	 * source stream is paired with a sink stream (role {@link StreamRole#ACCEPTED}) whose
	 * callbacks go to {@code handler}: first {@code SINK_JOIN} with the source as the stream and
	 * the number of sources already served as {@code ack} (anything but OK refuses the source,
	 * whose creation then fails), then CREATING, CONNECTING, CONNECTED. Payload either side sends
	 * (one {@code onTx} per {@code requestTx}) reaches the other side's {@code onRx}.
	 * @param streamType a streamtype of the active policy with {@code local_sink}
	 * @param handler receives every sink stream's callbacks
	 * @return the registration; closing it removes the sink
	 * @throws SecureStreamsException if the streamtype is unknown, is no local sink, already has
	 * a sink, or this context is proxied (register the sink where the policy is)
	 */
	public SinkRegistration registerSink(String streamType, StreamHandler handler) {
		Objects.requireNonNull(handler, "handler");
		if (this.closed) {
			throw new SecureStreamsException("this Secure Streams context is shut down");
		}
		if (this.proxied != null) {
			throw new SecureStreamsException("a proxied context cannot register sinks: register the sink for '"
					+ streamType + "' in the process that holds the policy");
		}
		return this.direct.registerSink(streamType, handler);
	}

	/**
	 * Returns the policy in force.
	 * @return the policy; empty in proxied mode
	 */
	public Policy policy() {
		return this.policies.current().policy();
	}

	/**
	 * Returns the policy in force with its version, content hash and the overlays applied.
	 * @return the active policy
	 */
	public ActivePolicy activePolicy() {
		return this.policies.current();
	}

	/**
	 * Applies a policy overlay ({@code lws_ss_policy_overlay}): a JSON fragment shaped like a
	 * policy whose streamtypes are merged over the active ones. Streams of a streamtype the
	 * overlay changed drop their connection and use the new policy from their next connection
	 * (at once if they are not opportunistic), as with {@link #replacePolicy(Policy)}; the
	 * others carry on.
	 * @param sourceName a name for the overlay, used in error messages
	 * @param json the overlay, at most
	 * {@link io.securestreams.policy.overlay.PolicyOverlays#MAX_OVERLAY_BYTES} bytes of UTF-8
	 * @return the new active policy
	 * @throws io.securestreams.policy.PolicyException with every error, or when the overlay is
	 * too large; the policy is unchanged then
	 * @throws SecureStreamsException if the context is shut down
	 */
	public ActivePolicy applyOverlay(String sourceName, String json) {
		requireDirect();
		ActivePolicy result;
		synchronized (this.policyChanges) {
			requireOpen();
			Policy before = policy();
			result = this.policies.applyOverlay(sourceName, json);
			policyChanged(before, result);
		}
		return announced(result);
	}

	/**
	 * Drops every overlay, going back to the base policy. Streams are treated as by
	 * {@link #replacePolicy(Policy)}: streams of a streamtype that only an overlay defined are
	 * destroyed.
	 * @return the new active policy
	 * @throws SecureStreamsException if the context is shut down
	 */
	public ActivePolicy resetOverlays() {
		requireDirect();
		ActivePolicy result;
		synchronized (this.policyChanges) {
			requireOpen();
			Policy before = policy();
			result = this.policies.resetOverlays();
			policyChanged(before, result);
		}
		return announced(result);
	}

	/**
	 * Replaces the base policy (as a remote policy fetch does) and drops the overlays. Streams
	 * whose streamtype is unchanged carry on; streams whose streamtype changed (its keys, the
	 * retry and auth entries it names, the certificates of its trust store, or the top-level
	 * via-socks5 it uses) drop their connection and connect again under the new policy when they
	 * next need to (at once if they are not opportunistic); streams whose streamtype vanished are
	 * destroyed with their final states.
	 * @param policy the new policy
	 * @return the new active policy
	 * @throws io.securestreams.policy.PolicyException if the policy is invalid; nothing changes then
	 * @throws SecureStreamsException if the context is shut down
	 */
	public ActivePolicy replacePolicy(Policy policy) {
		return Objects.requireNonNull(replacePolicyIf(policy, () -> true, () -> {
		}));
	}

	private @Nullable ActivePolicy replacePolicyIf(Policy policy, BooleanSupplier proceed, Runnable replaced) {
		requireDirect();
		ActivePolicy result;
		synchronized (this.policyChanges) {
			requireOpen();
			if (!proceed.getAsBoolean()) {
				return null;
			}
			Policy before = policy();
			result = this.policies.replaceBase(Objects.requireNonNull(policy, "policy"));
			replaced.run();
			policyChanged(before, result);
		}
		return announced(result);
	}

	// A policy change after close would be reported as made, though no stream will use it.
	private void requireOpen() {
		if (this.closed) {
			throw new SecureStreamsException("this Secure Streams context is shut down; its policy no longer changes");
		}
	}

	private void requireDirect() {
		if (this.proxied != null) {
			throw new IllegalStateException("a proxied context has no policy of its own; the proxy holds it");
		}
	}

	/**
	 * Returns a snapshot of every live stream.
	 * @return the streams' statistics
	 */
	public List<StreamInfo> streams() {
		return this.runtime.streams().stream().map(SecureStream::info).toList();
	}

	/**
	 * Looks a live stream up by id.
	 * @param id the id
	 * @return the stream, or {@code null}
	 */
	public @Nullable SecureStream stream(long id) {
		return this.runtime.stream(id);
	}

	/**
	 * Returns the system blob store this context uses.
	 * @return the blobs
	 */
	public SystemBlobs blobs() {
		return this.runtime.blobs();
	}

	/**
	 * Returns the limits this context's protocol bindings apply to peers.
	 * @return the limits given to the builder
	 */
	public ProtocolLimits limits() {
		return this.runtime.limits();
	}

	/**
	 * Adds a listener for every stream's events.
	 * @param listener the listener
	 * @throws NullPointerException when {@code listener} is {@code null}
	 */
	public void addListener(StreamEventListener listener) {
		// As the builder's listener(): taken, a null failed on every event of every stream, each
		// logged as a failing listener.
		this.runtime.addListener(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * Returns whether the native epoll transport is in use.
	 * @return {@code true} with epoll, {@code false} with NIO
	 */
	public boolean usesNativeTransport() {
		return this.transport.isNative();
	}

	/**
	 * Stops the context: destroys every stream (each gets its final states), waits for that up to
	 * the timeout, then stops the event loops. A {@code create} racing it from another thread
	 * still gets its stream destroyed. Called from a callback (on one of the context's event loops,
	 * or CREATING on the thread that called {@code create}, which the shutdown waits for), it hands
	 * the shutdown to a thread of its own and returns at once; the context refuses new streams from
	 * then on. Called again while a shutdown is under way, it returns once that shutdown has ended
	 * (at once from a callback).
	 * @param timeout the most to wait, not negative (a timeout of decades counts as about 70 years)
	 * @throws IllegalArgumentException when the timeout is negative; the context stays open then
	 */
	public void shutdownGracefully(Duration timeout) {
		// Checked before the context is marked closed: a timeout that failed later left it refusing
		// streams, with its streams alive and its loops running, and every later close() a no-op.
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
		}
		boolean first;
		synchronized (this.stopped) {
			first = !this.closed;
			this.closed = true;
		}
		boolean inCallback = this.transport.inEventLoop() || this.creatingHere.get()[0] > 0;
		if (!first) {
			// A close() racing the one under way (or following one from a callback) returns once
			// the context has stopped, as the first does, so that no callback runs after it.
			if (!inCallback && Thread.currentThread() != this.stopping) {
				this.stopped.join();
			}
			return;
		}
		if (inCallback) {
			Thread stopper = new Thread(() -> stopAndSignal(timeout), "secure-streams-shutdown");
			stopper.setDaemon(true);
			stopper.start();
			return;
		}
		stopAndSignal(timeout);
	}

	private void stopAndSignal(Duration timeout) {
		this.stopping = Thread.currentThread();
		try {
			stop(timeout);
		}
		finally {
			this.stopped.complete(null);
		}
	}

	private void stop(Duration timeout) {
		long deadline = System.nanoTime() + ((timeout.compareTo(MAX_SHUTDOWN_WAIT) > 0) ? MAX_SHUTDOWN_WAIT : timeout)
			.toNanos();
		// Asked again on every pass: a create() that passed its closed check just before the flag
		// was set registers its stream after the first pass.
		Set<AbstractStream> asked = new HashSet<>();
		while (streamsLeft(asked) && System.nanoTime() < deadline) {
			try {
				TimeUnit.MILLISECONDS.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		if (!this.runtime.streams().isEmpty()) {
			logger.warn("{} streams still alive after {}; stopping the event loops anyway",
					this.runtime.streams().size(), timeout);
		}
		// Connections still open (shared ones, those a stream's end closes in a later task) end
		// while the loops run, so that their handlers release what they hold.
		long closeWait = Math.min(Math.max(0, deadline - System.nanoTime()), CHANNEL_CLOSE_WAIT.toNanos());
		this.transport.closeChannels(Duration.ofNanos(closeWait));
		long left = Math.max(0, deadline - System.nanoTime());
		this.transport.shutdownGracefully(Duration.ZERO, Duration.ofNanos(left).plusMillis(100))
			.awaitUninterruptibly(left + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
		for (AbstractStream stream : this.runtime.streams()) {
			stream.contextStopped();
		}
	}

	// Whether streams are left to wait for, after destroying those not asked yet. The creations
	// under way are read first: once none is, every stream created has been registered already.
	private boolean streamsLeft(Set<AbstractStream> asked) {
		boolean creations = this.creating.get() > 0;
		return destroyNew(asked) || creations;
	}

	// Destroys the streams not asked yet; returns whether any stream is still registered.
	private boolean destroyNew(Set<AbstractStream> asked) {
		boolean alive = false;
		for (AbstractStream stream : this.runtime.streams()) {
			alive = true;
			if (asked.add(stream)) {
				stream.destroy();
			}
		}
		return alive;
	}

	/**
	 * Stops the context with the builder's shutdown timeout.
	 */
	@Override
	public void close() {
		shutdownGracefully(this.shutdownTimeout);
	}

	/**
	 * Builds a {@link SecureStreams} context.
	 */
	public static final class Builder {

		private final Policy policy;

		private int eventLoopThreads;

		private TransportResources.Kind transport = TransportResources.Kind.AUTO;

		private Duration connectTimeout = Duration.ofSeconds(10);

		private HostNameLookup hostNames = HostNameLookup.JDK;

		private Duration shutdownTimeout = Duration.ofSeconds(10);

		private SystemBlobs blobs = new SystemBlobs();

		private IntSupplier random16 = () -> ThreadLocalRandom.current().nextInt(0x10000);

		private ProtocolLimits limits = ProtocolLimits.DEFAULTS;

		private final List<StreamEventListener> listeners = new ArrayList<>();

		private @Nullable ProxyAddress proxy;

		private @Nullable InetSocketAddress proxySocks5;

		private Builder(Policy policy) {
			this.policy = Objects.requireNonNull(policy, "policy");
		}

		/**
		 * Sets the number of event loop threads.
		 * @param threads the count, 0 for Netty's default (twice the processors)
		 * @return this builder
		 */
		public Builder eventLoopThreads(int threads) {
			if (threads < 0) {
				throw new IllegalArgumentException("threads must not be negative");
			}
			this.eventLoopThreads = threads;
			return this;
		}

		/**
		 * Chooses the transport.
		 * @param kind AUTO (epoll when available), NIO or EPOLL
		 * @return this builder
		 */
		public Builder transport(TransportResources.Kind kind) {
			this.transport = Objects.requireNonNull(kind);
			return this;
		}

		/**
		 * Sets the most a host name lookup, a TCP connect to each address, a SOCKS5 negotiation or a TLS
		 * handshake may take.
		 * @param timeout the timeout, at least 1 ms and at most {@link Integer#MAX_VALUE} ms
		 * @return this builder
		 * @throws IllegalArgumentException if the timeout is out of that range
		 */
		public Builder connectTimeout(Duration timeout) {
			Objects.requireNonNull(timeout, "timeout");
			// Netty keeps it as int milliseconds, and takes 0 for no timeout: refused here, where
			// the mistake is made, rather than by every connection attempt.
			if (timeout.compareTo(Duration.ofMillis(1)) < 0
					|| timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
				throw new IllegalArgumentException("connectTimeout must be positive and at most " + Integer.MAX_VALUE
						+ " ms, got " + timeout);
			}
			this.connectTimeout = timeout;
			return this;
		}

		/**
		 * Sets how host names are looked up (the JDK's resolver by default), for a name service
		 * of the application's own. A connection tries the addresses in the order given, each
		 * for up to the connect timeout, and moves on when a socket connect fails.
		 * @param lookup looks host names up; called off the event loops, so it may block
		 * @return this builder
		 */
		public Builder hostNameLookup(HostNameLookup lookup) {
			this.hostNames = Objects.requireNonNull(lookup, "lookup");
			return this;
		}

		/**
		 * Sets how long {@link SecureStreams#close()} waits for streams to finish.
		 * @param timeout the timeout, 0 to close without waiting
		 * @return this builder
		 * @throws IllegalArgumentException when the timeout is negative
		 */
		public Builder shutdownTimeout(Duration timeout) {
			Objects.requireNonNull(timeout, "timeout");
			if (timeout.isNegative()) {
				// Taken as is, it would skip the graceful part of every close without a word.
				throw new IllegalArgumentException("shutdownTimeout must not be negative, got " + timeout);
			}
			this.shutdownTimeout = timeout;
			return this;
		}

		/**
		 * Uses a system blob store (auth tokens, device identity, client certificates).
		 * @param blobs the store
		 * @return this builder
		 */
		public Builder systemBlobs(SystemBlobs blobs) {
			this.blobs = Objects.requireNonNull(blobs);
			return this;
		}

		/**
		 * Replaces the source of backoff jitter, for tests.
		 * @param random16 returns uniform random numbers in 0..65535
		 * @return this builder
		 */
		public Builder jitterSource(IntSupplier random16) {
			this.random16 = Objects.requireNonNull(random16);
			return this;
		}

		/**
		 * Sets the limits protocol bindings apply to peers (ws frame size, http head size,
		 * handshake timeout).
		 * @param limits the limits
		 * @return this builder
		 */
		public Builder limits(ProtocolLimits limits) {
			this.limits = Objects.requireNonNull(limits);
			return this;
		}

		/**
		 * Reaches a proxy given as {@code host:port} through a SOCKS5 proxy, as libwebsockets'
		 * clients do with {@code socks_proxy} set: each stream's link is a CONNECT through it to
		 * the Secure Streams proxy, whose host name the SOCKS5 proxy looks up. A link the SOCKS5
		 * proxy cannot make counts as the proxy being unreachable ({@code UPSTREAM_LINK_RETRY},
		 * then a new try every second). The streams of a direct context take their SOCKS5 proxy
		 * from the policy's {@code via-socks5} instead.
		 * @param hostPort the SOCKS5 proxy, {@code host:port} (an IPv6 address in brackets)
		 * @return this builder
		 * @throws IllegalStateException unless this builder is for a proxied context whose proxy
		 * address is {@code host:port}
		 * @throws IllegalArgumentException for a malformed address
		 */
		public Builder viaSocks5(String hostPort) {
			Objects.requireNonNull(hostPort, "hostPort");
			if (this.proxy == null) {
				throw new IllegalStateException("viaSocks5 is for a proxied context's links to its proxy; the "
						+ "streams of a direct context take their SOCKS5 proxy from the policy's via-socks5");
			}
			if (this.proxy.kind() != ProxyAddress.Kind.TCP) {
				throw new IllegalStateException("the proxy " + this.proxy + " is a Unix socket, reached without "
						+ "SOCKS5; viaSocks5 needs a host:port proxy address");
			}
			try {
				StreamTypeKey.VIA_SOCKS5.check(hostPort);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("SOCKS5 proxy \"" + hostPort + "\": " + ex.getMessage(), ex);
			}
			this.proxySocks5 = EndpointResolver.socksAddress(hostPort);
			return this;
		}

		/**
		 * Adds a listener for every stream's events.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(StreamEventListener listener) {
			this.listeners.add(Objects.requireNonNull(listener));
			return this;
		}

		/**
		 * Starts the event loops and returns the context.
		 * @return the context
		 */
		public SecureStreams build() {
			return new SecureStreams(this);
		}

	}

}
