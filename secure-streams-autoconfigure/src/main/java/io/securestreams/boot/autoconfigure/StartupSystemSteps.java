package io.securestreams.boot.autoconfigure;

import io.securestreams.auth.AccessTokenFetcher;
import io.securestreams.auth.AccessTokenResult;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.connectivity.Connectivity;
import io.securestreams.policy.fetch.PolicyFetchResult;
import io.securestreams.policy.fetch.PolicyFetcher;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Takes the system steps libwebsockets takes before its streams are used, in its order, each
 * only when asked: captive portal detection (its CPD step), the remote policy fetch (its
 * POLICY_VALID step), then the access token fetch (its AUTH1 step). They run when the
 * application context starts, before handler streams are created. A failed step is logged; the
 * application starts anyway.
 *
 * @author Secure Streams contributors
 */
final class StartupSystemSteps implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(StartupSystemSteps.class);

	private final @Nullable CaptivePortalDetector detector;

	private final @Nullable PolicyFetcher fetcher;

	private final @Nullable AccessTokenFetcher tokens;

	private volatile boolean running;

	/**
	 * Creates the steps.
	 * @param detector detects at start-up, or {@code null} not to
	 * @param fetcher fetches the remote policy at start-up, or {@code null} not to
	 * @param tokens fetches an access token at start-up, or {@code null} not to
	 */
	StartupSystemSteps(@Nullable CaptivePortalDetector detector, @Nullable PolicyFetcher fetcher,
			@Nullable AccessTokenFetcher tokens) {
		this.detector = detector;
		this.fetcher = fetcher;
		this.tokens = tokens;
	}

	@Override
	public void start() {
		this.running = true;
		if (this.detector != null) {
			detect(this.detector);
		}
		if (this.fetcher != null) {
			fetch(this.fetcher);
		}
		if (this.tokens != null) {
			fetchToken(this.tokens);
		}
	}

	private static void detect(CaptivePortalDetector detector) {
		if (!detector.isConfigured()) {
			logger.warn("secure-streams.captive-portal.detect-on-startup is set, but the policy has no "
					+ "captive portal detection streamtype; connectivity stays UNKNOWN");
			return;
		}
		Connectivity found = detector.detect();
		if (found != Connectivity.INTERNET_OK) {
			logger.warn("Start-up captive portal detection found " + found);
		}
	}

	private static void fetch(PolicyFetcher fetcher) {
		if (!fetcher.isConfigured()) {
			logger.warn("secure-streams.remote-policy.fetch-on-startup is set, but the policy has no streamtype '"
					+ fetcher.streamType() + "'; keeping the local policy");
			return;
		}
		PolicyFetchResult result = fetcher.fetch();
		if (!result.updated()) {
			logger.warn("Start-up policy fetch ended with " + result.outcome() + "; keeping the local policy");
		}
	}

	private static void fetchToken(AccessTokenFetcher tokens) {
		if (!tokens.isConfigured()) {
			logger.warn("secure-streams.access-token.fetch-on-startup is set, but the policy has no token streamtype "
					+ "or the AUTH blob's slot 1 holds no refresh payload; no token fetched");
			return;
		}
		AccessTokenResult result = tokens.fetch();
		if (!result.obtained()) {
			logger.warn("Start-up access token fetch failed: " + result.error());
		}
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return SecureStreamHandlerEndpointRegistry.PHASE - 1;
	}

}
