package io.securestreams.boot.autoconfigure;

import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.policy.fetch.PolicyFetchResult;
import io.securestreams.policy.fetch.PolicyFetcher;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Fetches the remote policy when the application context starts, before handler streams are
 * created, as libwebsockets does at its POLICY_VALID step. A failed fetch is logged and the
 * local policy stays in force.
 *
 * @author Secure Streams contributors
 */
final class RemotePolicyStartupFetch implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RemotePolicyStartupFetch.class);

	private final PolicyFetcher fetcher;

	private volatile boolean running;

	RemotePolicyStartupFetch(PolicyFetcher fetcher) {
		this.fetcher = fetcher;
	}

	@Override
	public void start() {
		this.running = true;
		if (!this.fetcher.isConfigured()) {
			logger.warn("secure-streams.remote-policy.fetch-on-startup is set, but the policy has no streamtype '"
					+ this.fetcher.streamType() + "'; keeping the local policy");
			return;
		}
		PolicyFetchResult result = this.fetcher.fetch();
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
