package io.securestreams.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.StreamEventListener;
import io.securestreams.smd.SmdBus;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.Policy;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.CookieJar;
import io.securestreams.tls.TlsContexts;
import io.securestreams.transport.Connector;
import io.securestreams.transport.TransportResources;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stream of one context shares: the transport, TLS contexts, blob store, the active
 * policy, the registry of live streams and the event listeners.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class StreamsRuntime {

	private static final Logger logger = LoggerFactory.getLogger(StreamsRuntime.class);

	private final TransportResources transport;

	private final Connector connector;

	private final TlsContexts tls = new TlsContexts();

	private final SystemBlobs blobs;

	private final Supplier<Policy> policy;

	private final IntSupplier random16;

	private final ClientProtocols protocols;

	private final ProtocolLimits limits;

	private final List<StreamEventListener> listeners = new CopyOnWriteArrayList<>();

	private final Map<Long, AbstractStream> streams = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private final SmdBus smd = new SmdBus();

	private final CookieJar cookies = new CookieJar();

	/**
	 * Creates the runtime.
	 * @param transport the event loops
	 * @param connector opens client connections
	 * @param blobs the system blob store
	 * @param policy returns the active policy
	 * @param random16 random numbers in 0..65535 for backoff jitter
	 * @param protocols the client protocol bindings
	 * @param limits the limits protocol bindings apply to peers
	 */
	public StreamsRuntime(TransportResources transport, Connector connector, SystemBlobs blobs, Supplier<Policy> policy,
			IntSupplier random16, ClientProtocols protocols, ProtocolLimits limits) {
		this.transport = transport;
		this.connector = connector;
		this.blobs = blobs;
		this.policy = policy;
		this.random16 = random16;
		this.protocols = protocols;
		this.limits = limits;
	}

	/**
	 * Returns the limits protocol bindings apply to peers.
	 * @return the limits
	 */
	public ProtocolLimits limits() {
		return this.limits;
	}

	/**
	 * Returns the event loops and the channel classes that go with them.
	 * @return the transport
	 */
	public TransportResources transport() {
		return this.transport;
	}

	/**
	 * Returns what opens client connections.
	 * @return the connector
	 */
	public Connector connector() {
		return this.connector;
	}

	/**
	 * Returns the context's cache of TLS contexts.
	 * @return the TLS contexts
	 */
	public TlsContexts tls() {
		return this.tls;
	}

	/**
	 * Returns the context's system message bus.
	 * @return the bus
	 */
	public SmdBus smd() {
		return this.smd;
	}

	/**
	 * Returns the system blob store (auth tokens, device identity, client certificates).
	 * @return the blobs
	 */
	public SystemBlobs blobs() {
		return this.blobs;
	}

	/**
	 * Returns the cookies of the streamtypes with {@code http_cookies}.
	 * @return the context's cookie jar
	 */
	public CookieJar cookies() {
		return this.cookies;
	}

	/**
	 * Returns the policy in force, read anew at each call since overlays and fetches replace it.
	 * @return the active policy
	 */
	public Policy policy() {
		return this.policy.get();
	}

	/**
	 * Returns the source of random numbers in 0..65535 for backoff jitter.
	 * @return the source
	 */
	public IntSupplier random16() {
		return this.random16;
	}

	/**
	 * Returns the binding for a protocol.
	 * @param protocol the protocol
	 * @return the binding
	 * @throws io.securestreams.SecureStreamsException if the protocol is not supported
	 */
	public ClientProtocol clientProtocol(io.securestreams.policy.Protocol protocol) {
		return this.protocols.forProtocol(protocol);
	}

	/**
	 * Tells every client protocol binding that a client stream was destroyed.
	 * @param streamId the stream's id
	 */
	public void streamDestroyed(long streamId) {
		this.protocols.streamDestroyed(streamId);
	}

	/**
	 * Adds a listener for every stream's events.
	 * @param listener the listener
	 */
	public void addListener(StreamEventListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Allocates a stream id.
	 * @return a new id
	 */
	public long nextId() {
		return this.ids.incrementAndGet();
	}

	void register(AbstractStream stream) {
		this.streams.put(stream.id(), stream);
	}

	void unregister(AbstractStream stream) {
		if (this.streams.remove(stream.id()) != null) {
			for (StreamEventListener listener : this.listeners) {
				safely(() -> listener.destroyed(stream));
			}
		}
	}

	/**
	 * Returns the live streams.
	 * @return a snapshot
	 */
	public List<AbstractStream> streams() {
		return List.copyOf(this.streams.values());
	}

	/**
	 * Looks a live stream up.
	 * @param id the stream id
	 * @return the stream, or {@code null}
	 */
	public @Nullable AbstractStream stream(long id) {
		return this.streams.get(id);
	}

	void stateChanged(SecureStream stream, @Nullable StreamState previous, StreamState state) {
		for (StreamEventListener listener : this.listeners) {
			safely(() -> listener.stateChanged(stream, previous, state));
		}
	}

	void illegalTransition(SecureStream stream, @Nullable StreamState previous, StreamState state) {
		logger.error("stream {} ({}): illegal state transition {} -> {}; destroying the stream", stream.id(),
				stream.streamType(), previous, state);
		for (StreamEventListener listener : this.listeners) {
			safely(() -> listener.illegalTransition(stream, previous, state));
		}
	}

	void retryScheduled(SecureStream stream, long delayMillis) {
		for (StreamEventListener listener : this.listeners) {
			safely(() -> listener.retryScheduled(stream, delayMillis));
		}
	}

	void transactionCompleted(SecureStream stream, StreamState result, long nanos) {
		for (StreamEventListener listener : this.listeners) {
			safely(() -> listener.transactionCompleted(stream, result, nanos));
		}
	}

	// An Error too (a failed assertion of a monitoring check): let out, it would leave the stream
	// between two states, told to the listeners before it and not to the handler.
	private static void safely(Runnable call) {
		try {
			call.run();
		}
		catch (RuntimeException | Error ex) {
			logger.warn("stream event listener failed", ex);
		}
	}

}
