package io.securestreams.boot.autoconfigure;

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
 * only when asked: captive portal detection (its CPD step), then the remote policy fetch (its
 * POLICY_VALID step). Both run when the application context starts, before handler streams are
 * created. A failed step is logged; the application starts anyway, with the local policy.
 *
 * @author Secure Streams contributors
 */
final class StartupSystemSteps implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(StartupSystemSteps.class);

	private final @Nullable CaptivePortalDetector detector;

	private final @Nullable PolicyFetcher fetcher;

	private volatile boolean running;

	/**
	 * Creates the steps.
	 * @param detector detects at start-up, or {@code null} not to
	 * @param fetcher fetches the remote policy at start-up, or {@code null} not to
	 */
	StartupSystemSteps(@Nullable CaptivePortalDetector detector, @Nullable PolicyFetcher fetcher) {
		this.detector = detector;
		this.fetcher = fetcher;
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
