package io.securestreams.policy.fetch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.internal.ContextAccess;
import io.securestreams.internal.SingleFlight;
import io.securestreams.internal.SystemStreamType;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.fetch.FetchHandler.FetchFailure;
import io.securestreams.policy.fetch.PolicyFetchResult.Outcome;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.policy.overlay.ActivePolicy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a new policy through a stream of a policy-defined streamtype, {@code fetch_policy} by
 * default, as libwebsockets does at its POLICY_VALID step: the stream asks for one transaction
 * ({@code requestTx}), collects the body from SOM to EOM and, on QOS_ACK_REMOTE, parses it
 * whole; only a valid policy replaces the running one, atomically, through
 * {@link SecureStreams#replacePolicy(Policy)}. Every other ending (QOS_NACK_REMOTE,
 * ALL_RETRIES_FAILED, TIMEOUT, a dropped connection, invalid JSON or policy) leaves the running
 * policy untouched and is reported in the {@link PolicyFetchResult}.
 * <p>
 * Thread-safe; concurrent calls while a fetch is in flight share its result. A call made once
 * the body is in starts another fetch, and the policy served last stays in force: an earlier
 * fetch that would replace it ends {@link Outcome#SUPERSEDED}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyFetcher {

	/** The streamtype libwebsockets fetches its policy with. */
	public static final String DEFAULT_STREAM_TYPE = "fetch_policy";

	/** Largest policy accepted by default, in bytes. */
	public static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

	private static final Logger logger = LoggerFactory.getLogger(PolicyFetcher.class);

	private final SystemStreamType system;

	private final int maxBytes;

	private final PolicyParser parser = new PolicyParser();

	private final SingleFlight<PolicyFetchResult> flight = new SingleFlight<>();

	// Numbers the fetches in the order they start. A fetch is released once its body is in (see
	// finish), so the next can start and, with a small body, replace the policy before the first
	// has parsed a large one: the policy served first must not then overwrite the later one.
	private final AtomicLong started = new AtomicLong();

	// The number of the last fetch whose policy replaced the running one; read and written only
	// under the context's policy-change lock (ContextAccess.replacePolicyIf).
	private long replacedBy;

	/**
	 * Creates a fetcher that uses {@value #DEFAULT_STREAM_TYPE} with a 30 second timeout.
	 * @param streams the context whose policy is replaced
	 */
	public PolicyFetcher(SecureStreams streams) {
		this(streams, DEFAULT_STREAM_TYPE, Duration.ofSeconds(30), DEFAULT_MAX_BYTES);
	}

	/**
	 * Creates a fetcher.
	 * @param streams the context whose policy is replaced
	 * @param streamType the streamtype to fetch with
	 * @param timeout the most one fetch may take, from connecting to the end of the body
	 * @param maxBytes the largest policy accepted, at least 1
	 * @throws IllegalArgumentException if the timeout is not positive or longer than 4294967294 ms
	 * (the longest a stream timer of a proxied stream takes), or if {@code maxBytes} is under 1
	 */
	public PolicyFetcher(SecureStreams streams, String streamType, Duration timeout, int maxBytes) {
		if (maxBytes < 1) {
			throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
		}
		this.system = new SystemStreamType(streams, streamType, timeout);
		this.maxBytes = maxBytes;
	}

	/**
	 * Returns the streamtype this fetcher uses.
	 * @return the streamtype name
	 */
	public String streamType() {
		return this.system.name();
	}

	/**
	 * Returns whether the running policy defines the fetch streamtype.
	 * @return {@code true} when a fetch can be attempted
	 */
	public boolean isConfigured() {
		return this.system.isDefined();
	}

	/**
	 * Fetches the policy and waits for the result.
	 * @return the result
	 * @throws IllegalStateException when called on one of the context's event loops (from a
	 * callback), where {@link #fetchAsync()} is the call to make
	 */
	public PolicyFetchResult fetch() {
		this.system.refuseWaitOnEventLoop("fetch()", "fetchAsync()");
		return fetchAsync().join();
	}

	/**
	 * Starts a fetch, or joins the one in flight.
	 * @return the result, completed off the event loops
	 */
	public CompletableFuture<PolicyFetchResult> fetchAsync() {
		return this.flight.join(() -> start(System.nanoTime()), (result) -> {
		});
	}

	private CompletableFuture<PolicyFetchResult> start(long startNanos) {
		if (!isConfigured()) {
			return CompletableFuture.completedFuture(result(Outcome.NOT_CONFIGURED, startNanos,
					List.of("the policy has no streamtype '" + this.system.name() + "' to fetch a policy with")));
		}
		long number = this.started.incrementAndGet();
		FetchHandler handler = new FetchHandler(this.maxBytes);
		SecureStream stream;
		try {
			stream = this.system.streams().create(this.system.name(), handler);
		}
		catch (SecureStreamsException | IllegalStateException ex) {
			// An IllegalStateException too: a server streamtype's listener, asked for on an event
			// loop, is refused so; it is a stream that could not be created, not the caller's error.
			return CompletableFuture.completedFuture(result(Outcome.FAILED, startNanos, List.of(ex.getMessage())));
		}
		stream.startTimeout(this.system.timeout().toMillis());
		stream.requestTx();
		// The stream's own timer reports TIMEOUT; the future's timeout only guards against a
		// stream that never reaches a final state.
		CompletableFuture<PolicyFetchResult> fetch = new CompletableFuture<>();
		handler.body()
			.orTimeout(this.system.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)
			.handleAsync((body, error) -> finish(number, body, error, startNanos, fetch))
			.whenComplete((result, error) -> stream.destroy())
			.thenCompose((result) -> this.system.afterDestroyed(stream, result))
			.whenComplete((result, error) -> {
				if (error != null) {
					fetch.completeExceptionally(error);
				}
				else {
					fetch.complete(result);
				}
			});
		return fetch;
	}

	private PolicyFetchResult finish(long number, byte @Nullable [] body, @Nullable Throwable error, long startNanos,
			CompletableFuture<PolicyFetchResult> fetch) {
		// Replacing the policy announces it on the system message bus: a participant told so may
		// fetch again, which must start a new fetch rather than wait for this one, which waits for
		// the participant when it is called in the publishing thread.
		this.flight.release(fetch);
		Throwable cause = (error instanceof CompletionException) ? error.getCause() : error;
		if (cause instanceof FetchFailure failure) {
			return logged(result(failure.outcome(), startNanos, List.of(failure.getMessage())));
		}
		if (cause instanceof TimeoutException) {
			return logged(result(Outcome.TIMEOUT, startNanos,
					List.of("no final state within " + this.system.timeout())));
		}
		if (cause != null || body == null) {
			return logged(result(Outcome.FAILED, startNanos, List.of(String.valueOf(cause))));
		}
		Policy policy = null;
		try {
			policy = this.parser.parse(sourceName(), body).policy();
			ActivePolicy replaced = ContextAccess.replacePolicyIf(this.system.streams(), policy,
					() -> number > this.replacedBy, () -> this.replacedBy = number);
			if (replaced == null) {
				return logged(result(Outcome.SUPERSEDED, startNanos,
						List.of("a fetch started after this one replaced the policy first; the policy this one "
								+ "got, served before that one's, was dropped")));
			}
			return logged(result(Outcome.UPDATED, startNanos, List.of()));
		}
		catch (PolicyException ex) {
			// The context's own check of a parsed policy (streamtypes sharing an MQTT connection
			// that it made disagree) names values, which the document says where to find.
			List<PolicyProblem> problems = (policy != null)
					? this.parser.locate(sourceName(), body, Policy.empty(), ex.problems()) : ex.problems();
			return logged(result(Outcome.INVALID_POLICY, startNanos,
					problems.stream().map(PolicyProblem::format).toList()));
		}
		catch (SecureStreamsException ex) {
			// The context shut down while the policy was on its way.
			return logged(result(Outcome.FAILED, startNanos, List.of(ex.getMessage())));
		}
	}

	private String sourceName() {
		return "<" + this.system.name() + ">";
	}

	private PolicyFetchResult result(Outcome outcome, long startNanos, List<String> errors) {
		ActivePolicy active = this.system.streams().activePolicy();
		return new PolicyFetchResult(outcome, active.version(), active.hash(), errors,
				Duration.ofNanos(System.nanoTime() - startNanos));
	}

	private PolicyFetchResult logged(PolicyFetchResult result) {
		if (result.updated()) {
			logger.info("Fetched a new policy with '{}': version {} ({})", this.system.name(), result.version(),
					result.hash());
		}
		else if (result.outcome() == Outcome.SUPERSEDED) {
			// Nothing went wrong: a later fetch's policy is running, which is what was asked for.
			logger.info("Policy fetch with '{}' was overtaken by a later one, whose policy (version {}) is running; "
					+ "the policy this one got is dropped", this.system.name(), result.version());
		}
		else {
			logger.warn("Policy fetch with '{}' failed ({}); the running policy is unchanged:\n  {}",
					this.system.name(), result.outcome(), String.join("\n  ", result.errors()));
		}
		return result;
	}

}
