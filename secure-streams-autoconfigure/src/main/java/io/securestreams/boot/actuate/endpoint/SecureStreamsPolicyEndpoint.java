package io.securestreams.boot.actuate.endpoint;

import java.util.List;
import java.util.Map;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.fetch.PolicyFetchResult;
import io.securestreams.policy.fetch.PolicyFetcher;
import io.securestreams.policy.json.PolicyJsonWriter;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.policy.overlay.PolicyOverlays;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link Endpoint @Endpoint} for the effective policy: read it (certificates and keys
 * redacted) with its version and hash; apply an overlay; drop the overlays; fetch the remote
 * policy now. Only reading is allowed by default; the writes need
 * {@code management.endpoint.securestreamspolicy.access=unrestricted}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Endpoint(id = "securestreamspolicy", defaultAccess = Access.READ_ONLY)
public class SecureStreamsPolicyEndpoint {

	/** The operation path that fetches the remote policy. */
	public static final String FETCH = "fetch";

	/** The source name overlays applied through the endpoint are reported under. */
	public static final String OVERLAY_SOURCE = "overlay";

	/**
	 * The largest request body the endpoint's web handling accepts: room for an overlay of
	 * {@link PolicyOverlays#MAX_OVERLAY_BYTES} however its client escapes it in the body's JSON
	 * string (at most 6 bytes per byte, for a client that writes characters as JSON's six-character
	 * unicode escapes), and for the rest of the body. A larger overlay is refused by the overlay bound
	 * anyway, with its size.
	 */
	public static final long MAX_REQUEST_BODY_BYTES = 6L * PolicyOverlays.MAX_OVERLAY_BYTES + 64 * 1024;

	private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
	};

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final SecureStreams streams;

	private final PolicyFetcher fetcher;

	private final PolicyJsonWriter writer = new PolicyJsonWriter();

	/**
	 * Creates the endpoint.
	 * @param streams the context whose policy is shown and changed
	 * @param fetcher fetches the remote policy
	 */
	public SecureStreamsPolicyEndpoint(SecureStreams streams, PolicyFetcher fetcher) {
		this.streams = streams;
		this.fetcher = fetcher;
	}

	/**
	 * Returns the policy in force, secrets redacted.
	 * @return the policy with its version and hash
	 */
	@ReadOperation
	public PolicyDescriptor policy() {
		return describe(this.streams.activePolicy());
	}

	/**
	 * Applies an overlay atomically.
	 * @param overlay the overlay JSON, shaped like a policy
	 * @return the new policy
	 * @throws PolicyException with every error; the policy is unchanged then
	 */
	@WriteOperation
	public PolicyDescriptor applyOverlay(String overlay) {
		return describe(this.streams.applyOverlay(OVERLAY_SOURCE, overlay));
	}

	/**
	 * Drops every overlay, going back to the base policy.
	 * @return the new policy
	 */
	@DeleteOperation
	public PolicyDescriptor resetOverlays() {
		return describe(this.streams.resetOverlays());
	}

	/**
	 * Fetches the remote policy now.
	 * @param action {@value #FETCH}
	 * @return the outcome, or {@code null} for another action
	 * @throws IllegalStateException in proxied mode, where the proxy holds the policy
	 */
	@WriteOperation
	public @Nullable FetchDescriptor fetch(@Selector String action) {
		if (!FETCH.equals(action)) {
			return null;
		}
		if (this.streams.isProxied()) {
			// Like the other writes: the proxy owns the policy, there is none here to replace.
			throw new IllegalStateException("a proxied context has no policy of its own; fetch it at the proxy");
		}
		return FetchDescriptor.of(this.fetcher.fetch());
	}

	private PolicyDescriptor describe(ActivePolicy active) {
		Map<String, Object> json = JSON.readValue(this.writer.write(active.policy(), true), JSON_OBJECT);
		return new PolicyDescriptor(active.version(), active.hash(), active.overlaySources(), active.overlayCount(),
				json);
	}

	/**
	 * The policy in force.
	 *
	 * @param version 1 for the first policy, incremented on every change
	 * @param hash {@code sha256:} of the canonical, unredacted policy JSON
	 * @param overlays the source names of the last applied overlays (at most 64), oldest first
	 * @param overlayCount how many overlays were applied over the base policy
	 * @param policy the policy as JSON, certificates and keys redacted
	 */
	public record PolicyDescriptor(long version, String hash, List<String> overlays, long overlayCount,
			Map<String, Object> policy) implements OperationResponseBody {
	}

	/**
	 * What a fetch did.
	 *
	 * @param outcome how it ended
	 * @param updated whether the fetched policy is now in force
	 * @param version the version in force afterwards
	 * @param hash the hash in force afterwards
	 * @param errors what went wrong
	 * @param elapsedMillis how long it took
	 */
	public record FetchDescriptor(String outcome, boolean updated, long version, String hash, List<String> errors,
			long elapsedMillis) implements OperationResponseBody {

		static FetchDescriptor of(PolicyFetchResult result) {
			return new FetchDescriptor(result.outcome().name(), result.updated(), result.version(), result.hash(),
					result.errors(), result.elapsed().toMillis());
		}

	}

	/**
	 * A rejected change.
	 *
	 * @param errors every problem as {@code FILE:LINE:COL: PATH: MESSAGE}
	 */
	public record ErrorsDescriptor(List<String> errors) implements OperationResponseBody {
	}

}
