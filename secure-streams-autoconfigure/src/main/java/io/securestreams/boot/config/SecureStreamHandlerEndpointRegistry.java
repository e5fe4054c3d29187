package io.securestreams.boot.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStreams;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdStream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeansException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.util.Assert;

/**
 * Holds one {@link SecureStreamHandlerContainer} per handler endpoint and ties them to the
 * application context's lifecycle: listeners of server streamtypes are created first, then
 * client streams; on stop, every stream is destroyed before the context shuts down. Registered
 * by {@code @EnableSecureStreams} under
 * {@link SecureStreamsAnnotationSupportBeanNames#HANDLER_ENDPOINT_REGISTRY_BEAN_NAME}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamHandlerEndpointRegistry implements SmartLifecycle, ApplicationContextAware {

	private static final Log logger = LogFactory.getLog(SecureStreamHandlerEndpointRegistry.class);

	/** The lifecycle phase: after the embedded web server starts, before it stops. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private final Map<String, SecureStreamHandlerContainer> containers = new LinkedHashMap<>();

	private @Nullable ApplicationContext applicationContext;

	private volatile boolean running;

	// Ids of started containers whose streams a policy change destroyed and could not create anew.
	private final Set<String> failedRestarts = new HashSet<>();

	private @Nullable ReturningStreamTypes returning;

	@Override
	public void setApplicationContext(ApplicationContext applicationContext) throws BeansException {
		this.applicationContext = applicationContext;
	}

	/**
	 * Registers an endpoint. It is checked against the policy when the registry starts, after
	 * the start-up policy fetch (see {@link #start()}).
	 * @param endpoint the endpoint
	 * @param factory creates its invocable handler methods
	 * @throws IllegalStateException naming the bean when another endpoint has its id
	 */
	public synchronized void registerHandlerEndpoint(MethodSecureStreamHandlerEndpoint endpoint,
			MessageHandlerMethodFactory factory) {
		Assert.state(this.applicationContext != null, "no application context");
		if (this.containers.containsKey(endpoint.id())) {
			throw new IllegalStateException("Duplicate @SecureStreamHandler id '" + endpoint.id() + "' on "
					+ endpoint.description() + "; give each declaration its own id");
		}
		ApplicationContext context = this.applicationContext;
		this.containers.put(endpoint.id(), new SecureStreamHandlerContainer(endpoint, endpoint.createHandler(factory),
				() -> context.getBean(SecureStreams.class)));
	}

	// Checked against the policy in force when the streams start, not when the endpoints are
	// registered: a policy fetched at start-up (libwebsockets' small local policy holding only
	// fetch_policy) defines streamtypes the local one lacks.
	private void checkAgainstPolicy(SecureStreams streams) {
		List<MethodSecureStreamHandlerEndpoint> checked = new ArrayList<>();
		for (SecureStreamHandlerContainer container : this.containers.values()) {
			checkAgainstPolicy(container.getEndpoint(), checked, streams);
			checked.add(container.getEndpoint());
		}
	}

	private static void checkAgainstPolicy(MethodSecureStreamHandlerEndpoint endpoint,
			List<MethodSecureStreamHandlerEndpoint> earlier, SecureStreams streams) {
		if (SmdStream.STREAMTYPE.equals(endpoint.streamType())) {
			// Built in: no policy entry, and its streams carry no metadata.
			if (!endpoint.metadataNames().isEmpty()) {
				throw new IllegalStateException(endpoint.description() + " reads @Metadata" + endpoint.metadataNames()
						+ " on the built-in streamtype " + SmdStream.STREAMTYPE + ", which has none");
			}
			return;
		}
		StreamTypePolicy policy = streams.policy().streamType(endpoint.streamType());
		if (policy == null) {
			throw new IllegalStateException(endpoint.description() + " is a @SecureStreamHandler for streamtype '"
					+ endpoint.streamType() + "', which the policy does not define; it defines "
					+ streams.policy().streamTypes().keySet());
		}
		if (policy.server() && endpoint.count() != 1) {
			throw new IllegalStateException(endpoint.description() + " asks for " + endpoint.count()
					+ " streams of server streamtype '" + endpoint.streamType() + "', which has one listener");
		}
		// The start action is for client streams: a listener neither connects nor sends, so it would be ignored.
		// A second listener would bind another ephemeral port unseen, or fail a fixed port's bind with
		// an "Address already in use" that blames whichever handler happened to start second.
		if (policy.server()) {
			for (MethodSecureStreamHandlerEndpoint other : earlier) {
				if (other.streamType().equals(endpoint.streamType())) {
					throw new IllegalStateException(endpoint.description() + " is a @SecureStreamHandler for server "
							+ "streamtype '" + endpoint.streamType() + "', which has one listener, already handled by "
							+ other.description() + " (id '" + other.id() + "')");
				}
			}
		}
		if (policy.server() && endpoint.start() != SecureStreamHandler.Start.NONE) {
			throw new IllegalStateException(endpoint.description() + " asks for start " + endpoint.start()
					+ " on server streamtype '" + endpoint.streamType() + "', whose listener neither connects "
					+ "nor sends; start is for client streams");
		}
		for (String name : endpoint.metadataNames()) {
			if (policy.metadata(name) == null) {
				throw new IllegalStateException(endpoint.description() + " reads @Metadata(\"" + name
						+ "\"), which streamtype '" + endpoint.streamType() + "' does not declare");
			}
		}
	}

	/**
	 * Returns a container by endpoint id.
	 * @param id the id
	 * @return the container, or {@code null}
	 */
	public synchronized @Nullable SecureStreamHandlerContainer getHandlerContainer(String id) {
		return this.containers.get(id);
	}

	/**
	 * Returns the ids of every container.
	 * @return the ids in registration order
	 */
	public synchronized Set<String> getHandlerContainerIds() {
		return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(this.containers.keySet()));
	}

	/**
	 * Returns every container.
	 * @return the containers in registration order
	 */
	public synchronized Collection<SecureStreamHandlerContainer> getHandlerContainers() {
		return List.copyOf(this.containers.values());
	}

	/**
	 * Checks every endpoint against the policy in force, then creates the streams of those that
	 * start automatically, listeners of server streamtypes first. The streamtype must exist,
	 * a server streamtype takes one listener (so one handler, one stream and no start action),
	 * and every metadata name a method reads must be declared; in proxied mode the proxy holds
	 * the policy and does these checks.
	 * @throws IllegalStateException naming the bean when an endpoint does not fit the policy
	 */
	@Override
	public synchronized void start() {
		List<SecureStreamHandlerContainer> ordered = new ArrayList<>();
		// Looked up only for handlers: an application without any may have several contexts.
		SecureStreams streams = (this.applicationContext != null && !this.containers.isEmpty())
				? this.applicationContext.getBean(SecureStreams.class) : null;
		if (streams != null && !streams.isProxied()) {
			checkAgainstPolicy(streams);
		}
		for (SecureStreamHandlerContainer container : this.containers.values()) {
			StreamTypePolicy policy = (streams != null)
					? streams.policy().streamType(container.getEndpoint().streamType()) : null;
			ordered.add((policy != null && policy.server()) ? 0 : ordered.size(), container);
		}
		for (SecureStreamHandlerContainer container : ordered) {
			if (container.getEndpoint().autoStartup()) {
				container.start();
			}
		}
		if (streams != null && !streams.isProxied()) {
			this.returning = new ReturningStreamTypes(streams, this::streamTypesReturned);
		}
		this.running = true;
	}

	/**
	 * Starts anew the started containers of streamtypes a policy defines again, or turned between
	 * client and server or to or from a local sink: their streams were destroyed when an earlier
	 * policy dropped the streamtype, or by this change. A container whose streams cannot be
	 * created then (a local sink without its sink) is tried again at the next such change.
	 */
	private synchronized void streamTypesReturned(Set<String> streamTypes) {
		if (!this.running) {
			return;
		}
		for (SecureStreamHandlerContainer container : this.containers.values()) {
			boolean started = container.isRunning() || this.failedRestarts.contains(container.getId());
			if (started && streamTypes.contains(container.getEndpoint().streamType())) {
				container.stopAsync();
				try {
					container.start();
					this.failedRestarts.remove(container.getId());
				}
				catch (RuntimeException ex) {
					// Still the application's to run: a later policy that allows the streams creates them.
					this.failedRestarts.add(container.getId());
					logger.warn("Streamtype '" + container.getEndpoint().streamType() + "' is defined again or "
							+ "changed kind, but the streams of " + container.getEndpoint().description()
							+ " cannot be created: " + ex.getMessage());
				}
			}
		}
	}

	@Override
	public void stop() {
		stopContainers();
	}

	/**
	 * Destroys every stream and tells the lifecycle processor once their DESTROYING states have
	 * reached the handlers, so that handler beans are not destroyed (nor the context closed)
	 * while those callbacks are still on their way; the processor bounds the wait with
	 * {@code spring.lifecycle.timeout-per-shutdown-phase}.
	 * @param callback run once every stream has left the context
	 */
	@Override
	public void stop(Runnable callback) {
		stopContainers().whenComplete((ignored, ex) -> callback.run());
	}

	private synchronized CompletableFuture<Void> stopContainers() {
		ReturningStreamTypes watch = this.returning;
		if (watch != null) {
			watch.close();
			this.returning = null;
		}
		List<SecureStreamHandlerContainer> reversed = new ArrayList<>(this.containers.values());
		Collections.reverse(reversed);
		List<CompletableFuture<Void>> destroyed = new ArrayList<>();
		reversed.forEach((container) -> destroyed.add(container.stopAsync()));
		this.failedRestarts.clear();
		this.running = false;
		return CompletableFuture.allOf(destroyed.toArray(CompletableFuture[]::new));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
