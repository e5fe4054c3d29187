package io.securestreams.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.SystemBlobs;
import io.securestreams.internal.SingleFlight;
import io.securestreams.internal.SystemStreamType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an access token in the system blobs, as libwebsockets' api.amazon.com auth does: a
 * stream of a policy-defined streamtype, {@code api_amazon_com_auth} by default, sends the refresh
 * payload held in the {@code AUTH} blob's slot 1 as its request body (with its length announced),
 * reads the JSON answer, and stores its {@code access_token} in the {@code AUTH} blob's slot 0,
 * where {@code http_auth_header} streamtypes pick it up. When the answer gives
 * {@code expires_in}, the next fetch is scheduled before the token expires: after 90% of its
 * lifetime (libwebsockets waits the whole lifetime, which leaves requests made at that moment
 * with an expired token). An answer whose {@code access_token} is missing, empty, holds control
 * characters or starts or ends with a space, or whose {@code expires_in} is not a positive
 * number of seconds, is a failed fetch; a lifetime above a year is taken as a year. A failed
 * fetch leaves the stored token as it was; a failed renewal is tried again, while that token is
 * still valid after a quarter of what is left (1 s to 30 s), and once it has expired after 1 s,
 * 2 s, 4 s... up to every 30 s, until a fetch succeeds: a device whose token lapsed in an outage
 * gets a new one when the outage ends. A failed fetch before any token was obtained (a start-up
 * fetch while the network is down) is tried again in the same way, as long as the streamtype and
 * the refresh payload are there.
 * <p>
 * Thread-safe; concurrent calls while a fetch is in flight share it. {@link #close()} stops the
 * renewals and refuses later fetches, as closing the context does.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class AccessTokenFetcher implements AutoCloseable {

	/** The streamtype libwebsockets fetches its token with. */
	public static final String DEFAULT_STREAM_TYPE = "api_amazon_com_auth";

	/** The share of a token's lifetime after which it is renewed. */
	static final double RENEW_AFTER = 0.9;

	private static final long MIN_RETRY_MILLIS = 1_000;

	private static final long MAX_RETRY_MILLIS = 30_000;

	private static final Logger logger = LoggerFactory.getLogger(AccessTokenFetcher.class);

	private final SystemStreamType system;

	private final SingleFlight<AccessTokenResult> flight = new SingleFlight<>();

	private final Object renewalLock = new Object();

	// The pending renewal's timer, if any.
	private @Nullable CompletableFuture<Void> renewal;

	private volatile boolean closed;

	// When the token obtained last expires (System.nanoTime()), 0 when unknown; only touched
	// under the single flight's lock.
	private long expiresAtNanos;

	// Failed fetches since that token expired (or, before any token, since the first fetch),
	// which space the next ones; touched as that is.
	private int retriesSinceExpiry;

	// Whether a fetch ever obtained a token; touched as that is.
	private boolean obtainedOnce;

	/**
	 * Creates a fetcher that uses {@value #DEFAULT_STREAM_TYPE} with a 30 second timeout.
	 * @param streams the context whose policy defines the streamtype and whose blobs hold the
	 * refresh payload and receive the token
	 */
	public AccessTokenFetcher(SecureStreams streams) {
		this(streams, DEFAULT_STREAM_TYPE, Duration.ofSeconds(30));
	}

	/**
	 * Creates a fetcher.
	 * @param streams the context whose policy defines the streamtype and whose blobs hold the
	 * refresh payload and receive the token
	 * @param streamType the streamtype to fetch with
	 * @param timeout the most one fetch may take
	 * @throws IllegalArgumentException if the timeout is not positive or longer than 4294967294 ms
	 * (the longest a stream timer of a proxied stream takes)
	 */
	public AccessTokenFetcher(SecureStreams streams, String streamType, Duration timeout) {
		this.system = new SystemStreamType(streams, streamType, timeout);
	}

	/**
	 * Returns whether a fetch can be attempted: the policy defines the streamtype and the
	 * {@code AUTH} blob's slot 1 holds a refresh payload.
	 * @return {@code true} when both are there
	 */
	public boolean isConfigured() {
		return this.system.isDefined()
				&& this.system.streams().blobs().get(SystemBlobs.Type.AUTH, 1) != null;
	}

	/**
	 * Fetches a token and waits for the result.
	 * @return the result
	 * @throws IllegalStateException when called on one of the context's event loops (from a
	 * callback), where {@link #fetchAsync()} is the call to make
	 */
	public AccessTokenResult fetch() {
		this.system.refuseWaitOnEventLoop("fetch()", "fetchAsync()");
		return fetchAsync().join();
	}

	/**
	 * Starts a fetch, or joins the one in flight. A token with a lifetime schedules its renewal.
	 * Once the fetcher is closed, nothing is fetched and the result is a failure.
	 * @return the result
	 */
	public CompletableFuture<AccessTokenResult> fetchAsync() {
		if (this.closed || this.system.streams().isClosed()) {
			return CompletableFuture.completedFuture(AccessTokenResult.failed("the access token fetcher is closed"));
		}
		return this.flight.join(this::start, this::scheduleRenewal);
	}

	// After a token with a lifetime: renew at 90% of it. After a failed renewal while that token is
	// still valid: try again after a quarter of what is left (1 s to 30 s); once it has expired, or
	// when no fetch has obtained a token yet, at doubling intervals up to 30 s, since every request
	// that needs it fails until one succeeds.
	private void scheduleRenewal(@Nullable AccessTokenResult result) {
		if (this.closed || result == null || contextClosed()) {
			return;
		}
		long now = System.nanoTime();
		long delayMillis;
		if (result.obtained()) {
			this.obtainedOnce = true;
			if (result.expiresIn() == null) {
				// The token this one replaced may have had a renewal due: it would fetch unasked.
				this.expiresAtNanos = 0;
				synchronized (this.renewalLock) {
					cancelRenewal();
				}
				return;
			}
			this.expiresAtNanos = now + result.expiresIn().toNanos();
			this.retriesSinceExpiry = 0;
			delayMillis = (long) (result.expiresIn().toMillis() * RENEW_AFTER);
		}
		else {
			long leftMillis = TimeUnit.NANOSECONDS.toMillis(this.expiresAtNanos - now);
			boolean noTokenYet = !this.obtainedOnce;
			if (this.expiresAtNanos == 0 && (!noTokenYet || !isConfigured())) {
				// A token without a lifetime stays valid; without a refresh payload or streamtype,
				// trying again changes nothing until the application sets them and fetches.
				return;
			}
			if (leftMillis > 0) {
				delayMillis = Math.max(MIN_RETRY_MILLIS, Math.min(MAX_RETRY_MILLIS, leftMillis / 4));
			}
			else {
				int doublings = Math.min(this.retriesSinceExpiry++, 5);
				delayMillis = Math.min(MAX_RETRY_MILLIS, MIN_RETRY_MILLIS << doublings);
				logger.warn((noTokenYet ? "No access token from '{}' yet" : "The access token from '{}' has expired")
						+ "; fetching again in {} ms", this.system.name(), delayMillis);
			}
		}
		CompletableFuture<Void> timer = new CompletableFuture<>();
		synchronized (this.renewalLock) {
			if (this.closed) {
				return;
			}
			cancelRenewal();
			this.renewal = timer;
		}
		// Cancelling the timer also takes its task off the JDK's delay queue, so a replaced or
		// closed renewal holds nothing until it would have been due.
		timer.completeOnTimeout(null, delayMillis, TimeUnit.MILLISECONDS).thenRunAsync(() -> {
			synchronized (this.renewalLock) {
				// A later fetch scheduled its own renewal, or the fetcher was closed.
				if (this.closed || this.renewal != timer) {
					return;
				}
				this.renewal = null;
			}
			if (!contextClosed()) {
				fetchAsync();
			}
		});
	}

	// A fetcher left open when its context closes (one not managed by Spring, say) stops by itself,
	// instead of logging a failed renewal for every retry until its token expires.
	private boolean contextClosed() {
		if (!this.system.streams().isClosed()) {
			return false;
		}
		logger.debug("Access token renewals with '{}' stop: the context is closed", this.system.name());
		close();
		return true;
	}

	private void cancelRenewal() {
		CompletableFuture<Void> pending = this.renewal;
		if (pending != null) {
			pending.cancel(false);
			this.renewal = null;
		}
	}

	private CompletableFuture<AccessTokenResult> start() {
		byte[] payload = this.system.streams().blobs().get(SystemBlobs.Type.AUTH, 1);
		if (payload == null || payload.length == 0) {
			return CompletableFuture.completedFuture(logged(AccessTokenResult
				.failed("the AUTH blob's slot 1 holds no refresh payload to exchange for a token")));
		}
		TokenExchangeHandler handler = new TokenExchangeHandler(payload);
		SecureStream stream;
		try {
			stream = this.system.streams().create(this.system.name(), handler);
		}
		catch (SecureStreamsException ex) {
			return CompletableFuture.completedFuture(logged(AccessTokenResult.failed(ex.getMessage())));
		}
		stream.startTimeout(this.system.timeout().toMillis());
		stream.requestTxLen(payload.length);
		return handler.answer()
			.orTimeout(this.system.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)
			.handle((answer, error) -> logged((error != null) ? AccessTokenResult.failed(reason(error))
					: store(answer)))
			.whenComplete((result, error) -> stream.destroy())
			.thenCompose((result) -> this.system.afterDestroyed(stream, result));
	}

	private AccessTokenResult store(byte[] answer) {
		TokenAnswer read = TokenAnswer.read(answer);
		String token = read.token();
		if (token == null) {
			return AccessTokenResult.failed(String.valueOf(read.error()));
		}
		this.system.streams().blobs().set(SystemBlobs.Type.AUTH, 0, token.getBytes(StandardCharsets.UTF_8));
		return AccessTokenResult.obtained(read.lifetime());
	}

	private static String reason(Throwable error) {
		Throwable cause = (error instanceof CompletionException) ? error.getCause() : error;
		return (cause instanceof java.util.concurrent.TimeoutException) ? "no answer in time"
				: String.valueOf((cause != null) ? cause.getMessage() : error);
	}

	private AccessTokenResult logged(AccessTokenResult result) {
		if (result.obtained()) {
			logger.info("Obtained an access token with '{}' (expires in {})", this.system.name(), result.expiresIn());
		}
		else {
			logger.warn("Access token fetch with '{}' failed: {}", this.system.name(), result.error());
		}
		return result;
	}

	/**
	 * Stops scheduled renewals and refuses later fetches; a fetch in flight completes, without
	 * scheduling a renewal.
	 */
	@Override
	public void close() {
		synchronized (this.renewalLock) {
			this.closed = true;
			cancelRenewal();
		}
	}

}
