package io.securestreams.connectivity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.internal.SystemStreamType;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdBus;
import io.securestreams.smd.SmdClass;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects whether the internet is reachable through a stream of a policy-defined streamtype,
 * {@code captive_portal_detect} by default, as libwebsockets does: each detection resets the
 * result to {@link Connectivity#UNKNOWN}, creates the stream, starts its timeout and asks for one
 * transaction; the first outcome sticks (see {@link Connectivity}). Without the streamtype, or
 * when its stream cannot be created, the result stays UNKNOWN, as libwebsockets' creation "fails
 * quietly".
 * <p>
 * A typical streamtype asks a URL that answers 204, and sets {@code http_expect: 204} (any other
 * answer is rejected) and {@code http_fail_redirect: true} (a portal's redirect is not followed
 * but reported).
 * <p>
 * libwebsockets starts the stream's timeout with 3 seconds written in the wrong unit, so it
 * waits about 50 minutes and relies on the connection failing; here the timeout is what it was
 * meant to be, 3 seconds unless configured otherwise. Thread-safe; concurrent calls while a
 * detection runs share it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class CaptivePortalDetector implements AutoCloseable {

	/** The streamtype libwebsockets detects with. */
	public static final String DEFAULT_STREAM_TYPE = "captive_portal_detect";

	/** How long a detection may take by default. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

	private static final Logger logger = LoggerFactory.getLogger(CaptivePortalDetector.class);

	private final SystemStreamType system;

	private final Object lock = new Object();

	private @Nullable CompletableFuture<Connectivity> inFlight;

	private SmdBus.@Nullable Subscription requests;

	// A bus request came while a detection was under way: the network may have changed since that
	// detection's check went out, so another one follows it.
	private boolean requestedDuring;

	private volatile Connectivity result = Connectivity.UNKNOWN;

	/**
	 * Creates a detector that uses {@value #DEFAULT_STREAM_TYPE} with the default timeout.
	 * @param streams the context whose policy defines the streamtype
	 */
	public CaptivePortalDetector(SecureStreams streams) {
		this(streams, DEFAULT_STREAM_TYPE, DEFAULT_TIMEOUT);
	}

	/**
	 * Creates a detector.
	 * @param streams the context whose policy defines the streamtype
	 * @param streamType the streamtype to detect with
	 * @param timeout the most one detection may take (the stream's timeout)
	 * @throws IllegalArgumentException if the timeout is not positive or longer than 4294967294 ms
	 * (the longest a stream timer of a proxied stream takes)
	 */
	public CaptivePortalDetector(SecureStreams streams, String streamType, Duration timeout) {
		this.system = new SystemStreamType(streams, streamType, timeout);
	}

	/**
	 * Returns whether the running policy defines the detection streamtype.
	 * @return {@code true} when a detection can be attempted
	 */
	public boolean isConfigured() {
		return this.system.isDefined();
	}

	/**
	 * Returns the result of the last detection.
	 * @return the result, {@link Connectivity#UNKNOWN} before one completed or while one runs
	 */
	public Connectivity result() {
		return this.result;
	}

	/**
	 * Detects and waits for the result.
	 * @return the result
	 * @throws IllegalStateException when called on one of the context's event loops (from a
	 * callback), where {@link #detectAsync()} is the call to make
	 */
	public Connectivity detect() {
		this.system.refuseWaitOnEventLoop("detect()", "detectAsync()");
		return detectAsync().join();
	}

	/**
	 * Starts a detection, or joins the one in flight. The result is reset to UNKNOWN until it
	 * completes. Its outcome (other than UNKNOWN) is announced on the system message bus before
	 * the returned future completes; a participant told so may start the next detection.
	 * @return the result, completed once the detection stream has left the context
	 */
	public CompletableFuture<Connectivity> detectAsync() {
		CompletableFuture<Connectivity> detection;
		synchronized (this.lock) {
			CompletableFuture<Connectivity> current = this.inFlight;
			if (current != null) {
				return current;
			}
			this.result = Connectivity.UNKNOWN;
			detection = new CompletableFuture<>();
			this.inFlight = detection;
		}
		// Started outside the lock: a detection that has ended by the time its completion is
		// attached finishes on this thread, announcing its result, and a participant told so
		// may detect again and wait, which must not hold the lock the next finish needs.
		CompletableFuture<Connectivity> started;
		try {
			started = start();
		}
		catch (RuntimeException | Error ex) {
			finish(detection, Connectivity.UNKNOWN);
			throw ex;
		}
		started.whenComplete((found, error) -> finish(detection, (found != null) ? found : Connectivity.UNKNOWN));
		return detection;
	}

	/**
	 * Starts a detection (or joins the one in flight) whenever the context's system message bus
	 * asks for one, as libwebsockets does: a {@link SmdClass#NETWORK} message
	 * {@code {"type":"ipacq"}} (the device acquired an IP address) or
	 * {@code {"trigger":"cpdcheck"}}, published by the application or sent by a proxied client.
	 * The result is announced on the bus as after any detection. A request that comes while a
	 * detection is under way (the address acquired while a check sent before was pending) starts
	 * another once that one has ended, so the answer comes from a check made after the request;
	 * the result of the one under way is then not announced.
	 * Calling it again changes nothing; {@link #close()} stops listening.
	 */
	public void detectOnRequest() {
		synchronized (this.lock) {
			if (this.requests == null) {
				this.requests = this.system.streams().smd().subscribe(SmdClass.NETWORK, Runnable::run, (message) -> {
					if (DetectionRequest.isRequest(message)) {
						logger.debug("captive portal detection requested on the system message bus: {}",
								message.text());
						requested();
					}
				});
			}
		}
	}

	private void requested() {
		synchronized (this.lock) {
			if (this.inFlight != null) {
				this.requestedDuring = true;
				return;
			}
		}
		detectAsync();
	}

	/**
	 * Stops starting detections on the bus's requests (see {@link #detectOnRequest()}); a
	 * detection under way completes.
	 */
	@Override
	public void close() {
		SmdBus.Subscription listening;
		synchronized (this.lock) {
			listening = this.requests;
			this.requests = null;
			this.requestedDuring = false;
		}
		if (listening != null) {
			listening.close();
		}
	}

	// Recorded before the future completes, so a caller who sees the outcome sees result() agree;
	// announced after the detection stopped being the one in flight, so a participant that detects
	// again when told starts a new detection instead of waiting for this one, which waits for it.
	// Not announced when a request came meanwhile: the bus's participants would take this
	// result, from a check made before the request, for the answer the next check gives.
	private void finish(CompletableFuture<Connectivity> detection, Connectivity found) {
		this.result = found;
		boolean again;
		synchronized (this.lock) {
			this.inFlight = null;
			again = this.requestedDuring && this.requests != null;
			this.requestedDuring = false;
		}
		try {
			if (!again) {
				announce(found);
			}
		}
		finally {
			detection.complete(found);
		}
		if (again) {
			logger.debug("captive portal detection requested while one was under way: detecting again");
			detectAsync();
		}
	}

	// As libwebsockets broadcasts each result to the SMD participants (NETWORK class).
	private void announce(Connectivity found) {
		String label = switch (found) {
			case INTERNET_OK -> "OK";
			case CAPTIVE_PORTAL -> "Captive";
			case NO_INTERNET -> "No internet";
			case UNKNOWN -> null;
		};
		if (label != null) {
			this.system.streams().smd().publish(SmdClass.NETWORK, "{\"type\":\"cpd\",\"result\":\"" + label + "\"}");
		}
	}

	private CompletableFuture<Connectivity> start() {
		StreamTypePolicy policy = this.system.streams().policy().streamType(this.system.name());
		if (policy == null) {
			logger.debug("no '{}' streamtype in the policy; connectivity stays unknown", this.system.name());
			return CompletableFuture.completedFuture(Connectivity.UNKNOWN);
		}
		DetectionHandler handler = new DetectionHandler(policy.http().failRedirect());
		SecureStream stream;
		try {
			stream = this.system.streams().create(this.system.name(), handler);
		}
		catch (SecureStreamsException | IllegalStateException ex) {
			// An IllegalStateException too: a server streamtype's listener, asked for on an event
			// loop (a bus request from a proxied client), is refused so; left to the caller, it
			// kept this detection in flight forever, and every later one joined it.
			logger.warn("captive portal detection with '{}' could not start: {}", this.system.name(), ex.getMessage());
			return CompletableFuture.completedFuture(Connectivity.UNKNOWN);
		}
		stream.startTimeout(this.system.timeout().toMillis());
		stream.requestTx();
		// The stream's own timer reports TIMEOUT; this only guards a stream that never ends.
		return handler.result()
			.completeOnTimeout(Connectivity.NO_INTERNET, this.system.timeout().toMillis() + 5_000,
					TimeUnit.MILLISECONDS)
			.whenComplete((found, error) -> stream.destroy())
			.thenCompose((found) -> this.system.afterDestroyed(stream, logged(found)));
	}

	private Connectivity logged(Connectivity found) {
		logger.info("captive portal detection with '{}': {}", this.system.name(), found);
		return found;
	}

}
