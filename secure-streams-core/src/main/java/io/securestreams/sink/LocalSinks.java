package io.securestreams.sink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local sinks of a context, by streamtype, and the pairing of a source with a new sink
 * stream: the sink's handler is asked with SINK_JOIN (the source as the stream, the number of
 * sources it serves as {@code ack}) and may refuse by answering anything but OK.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class LocalSinks {

	private static final Logger logger = LoggerFactory.getLogger(LocalSinks.class);

	private final StreamsRuntime runtime;

	private final Map<String, SinkRegistration> registrations = new ConcurrentHashMap<>();

	/**
	 * Creates the registry of a context.
	 * @param runtime the context internals
	 */
	public LocalSinks(StreamsRuntime runtime) {
		this.runtime = runtime;
	}

	/**
	 * Registers a sink, as {@code lws_ss_create} with {@code LWSSSINFLAGS_REGISTER_SINK} does.
	 * @param policy the streamtype, which must set {@code local_sink}
	 * @param handler the handler of every sink stream
	 * @return the registration
	 * @throws SecureStreamsException when the streamtype is no local sink or already has one
	 */
	public SinkRegistration register(StreamTypePolicy policy, StreamHandler handler) {
		if (!policy.localSink()) {
			throw new SecureStreamsException("streamtype '" + policy.name()
					+ "' does not set \"local_sink\": true, so no sink can be registered for it");
		}
		SinkRegistration registration = new SinkRegistration(policy.name(), handler, this);
		if (this.registrations.putIfAbsent(policy.name(), registration) != null) {
			throw new SecureStreamsException("a sink is already registered for streamtype '" + policy.name() + "'");
		}
		return registration;
	}

	void unregister(SinkRegistration registration) {
		this.registrations.remove(registration.streamType(), registration);
	}

	/**
	 * Creates a source stream of a local sink streamtype, paired with a new sink stream. CREATING
	 * reaches both handlers before this returns; CONNECTING and CONNECTED follow on their loop,
	 * the sink's first.
	 * @param policy the streamtype
	 * @param handler the application's handler
	 * @return the source stream
	 * @throws SecureStreamsException when no sink is registered, the sink refused, or a handler
	 * answered CREATING with DESTROY_ME
	 */
	public SecureStream createSource(StreamTypePolicy policy, StreamHandler handler) {
		if (!this.registrations.containsKey(policy.name())) {
			throw new SecureStreamsException("streamtype '" + policy.name()
					+ "' is served by a local sink, and none is registered for it (registerSink)");
		}
		EventLoop loop = this.runtime.transport().nextLoop();
		LocalStream source = new LocalStream(this.runtime, policy, handler, false, loop, this);
		// SINK_JOIN hands the source to the sink's handler before the source's CREATING.
		source.holdUntilCreating();
		LocalStream sink = pair(source, policy);
		if (sink == null) {
			source.destroyUncreated();
			String why = this.registrations.containsKey(policy.name()) ? "' refused the stream"
					: "' was closed before the stream could join it";
			throw new SecureStreamsException("the sink of streamtype '" + policy.name() + why);
		}
		if (source.deliverCreating() == StreamResult.DESTROY_ME) {
			sink.destroy();
			source.destroyNow();
			throw new SecureStreamsException("the handler refused stream creation (DESTROY_ME from CREATING) for '"
					+ policy.name() + "'");
		}
		source.startPair(sink);
		return source;
	}

	/**
	 * Asks the registered sink to take a source and creates its sink stream (CREATING only).
	 * @return the sink stream, or {@code null} when no sink is registered or it refused
	 */
	@Nullable LocalStream pair(LocalStream source, StreamTypePolicy policy) {
		SinkRegistration registration = this.registrations.get(source.streamType());
		if (registration == null) {
			return null;
		}
		StreamHandler sinkHandler = registration.handler();
		if (!joinAccepted(sinkHandler, source, registration)) {
			return null;
		}
		LocalStream sink = new LocalStream(this.runtime, policy, sinkHandler, true, source.eventLoop(), this);
		// Paired before CREATING, so that a sink destroyed from its CREATING callback unpairs cleanly.
		sink.servedBy(registration);
		sink.pairWith(source);
		source.pairWith(sink);
		if (sink.deliverCreating() == StreamResult.DESTROY_ME) {
			source.pairWith(null);
			sink.destroyNow();
			return null;
		}
		// Joins only once paired and created: a close() from another thread then destroys a whole
		// pair (the sink tells its source), and one that came first leaves no pair behind.
		if (!registration.join(sink)) {
			source.pairWith(null);
			sink.destroyNow();
			return null;
		}
		return sink;
	}

	// SINK_JOIN goes to the sink's handler with the source as the stream; anything but OK (or no
	// answer) refuses, and so does a handler that throws.
	private static boolean joinAccepted(StreamHandler sinkHandler, LocalStream source, SinkRegistration registration) {
		try {
			StreamResult answer = sinkHandler.onState(source, StreamState.SINK_JOIN, registration.joined());
			return answer == null || answer == StreamResult.OK;
		}
		catch (RuntimeException ex) {
			logger.warn("the sink of '{}' threw from SINK_JOIN; the source is refused", source.streamType(), ex);
			return false;
		}
	}

}
