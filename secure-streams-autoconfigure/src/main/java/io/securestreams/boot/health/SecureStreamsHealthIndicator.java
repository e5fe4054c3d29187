package io.securestreams.boot.health;

import java.util.List;
import java.util.Map;

import io.securestreams.SecureStreams;
import io.securestreams.StreamInfo;
import io.securestreams.StreamState;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports DOWN when a stream of a {@code nailed_up} streamtype sits in ALL_RETRIES_FAILED: a
 * connection the policy says must always be up could not be made within its retry budget.
 * Other streams' failures are normal for opportunistic traffic and do not count. The last
 * captive portal detection's result is shown as the {@code connectivity} detail, without
 * changing the status. A context that is closed, or closing, is DOWN with the detail
 * {@code closed}.
 * <p>
 * In proxied mode the policy is the proxy's, so which streamtypes are nailed up is not known
 * here; what is known is whether the proxy can be reached, without which no stream works. The
 * indicator then reports DOWN while a stream sits in UPSTREAM_LINK_RETRY (its link to the proxy
 * could not be made, and is retried every second), and the onward connections' failures, which
 * the proxy reports as states, do not count.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamsHealthIndicator extends AbstractHealthIndicator {

	private final SecureStreams streams;

	private final @Nullable CaptivePortalDetector detector;

	/**
	 * Creates the indicator.
	 * @param streams the context to check
	 */
	public SecureStreamsHealthIndicator(SecureStreams streams) {
		this(streams, null);
	}

	/**
	 * Creates the indicator, with the last captive portal detection's result as a detail.
	 * @param streams the context to check
	 * @param detector the detector whose {@link CaptivePortalDetector#result() result} is shown as
	 * {@code connectivity} when the policy defines its streamtype, or {@code null}
	 */
	public SecureStreamsHealthIndicator(SecureStreams streams, @Nullable CaptivePortalDetector detector) {
		super("Secure Streams health check failed");
		this.streams = streams;
		this.detector = detector;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		List<StreamInfo> infos = this.streams.streams();
		boolean proxied = this.streams.isProxied();
		builder.withDetail("streams", infos.size());
		if (proxied) {
			builder.withDetail("proxied", true);
		}
		else {
			builder.withDetail("policyVersion", this.streams.activePolicy().version());
		}
		if (this.detector != null && this.detector.isConfigured()) {
			// Informational: being offline is the network's state, not the application's health.
			builder.withDetail("connectivity", this.detector.result().name());
		}
		if (this.streams.isClosed()) {
			// Shut down (or shutting down): no stream is left or can start, nailed up or not.
			builder.down().withDetail("closed", true);
			return;
		}
		String failedState = proxied ? StreamState.UPSTREAM_LINK_RETRY.name() : StreamState.ALL_RETRIES_FAILED.name();
		Policy policy = this.streams.policy();
		List<Map<String, Object>> failed = infos.stream()
			.filter((info) -> failedState.equals(info.state()))
			.filter((info) -> proxied || nailedUp(policy, info.streamType()))
			.map((info) -> Map.<String, Object>of("id", info.id(), "streamType", info.streamType(), "since",
					info.stateSince().toString()))
			.toList();
		if (failed.isEmpty()) {
			builder.up();
		}
		else {
			builder.down().withDetail(proxied ? "proxyUnreachable" : "allRetriesFailed", failed);
		}
	}

	private static boolean nailedUp(Policy policy, String streamType) {
		StreamTypePolicy type = policy.streamType(streamType);
		return type != null && type.nailedUp();
	}

}
