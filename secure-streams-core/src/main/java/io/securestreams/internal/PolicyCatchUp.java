package io.securestreams.internal;

import java.util.List;
import java.util.Objects;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.TrustStore;
import org.jspecify.annotations.Nullable;

/**
 * Decides what a policy change means for a live stream, for the streams a change finds and for
 * those created under the policy before it but registered only after it went through the live
 * streams (a direct {@code create} or a proxy's onward stream).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyCatchUp {

	private PolicyCatchUp() {
	}

	/**
	 * Returns whether a stream of a streamtype that is still defined must drop its connection:
	 * its keys changed, or what its connections depend on besides them (the retry and auth
	 * schemes it names, which a connection takes when it is made, the certificates its trust
	 * store names, the policy-wide SOCKS5 proxy it uses when it names none itself).
	 * @param before the policy the stream followed
	 * @param after the new policy
	 * @param now the streamtype in the new policy
	 * @return {@code true} when the stream must be told
	 */
	public static boolean changed(Policy before, Policy after, StreamTypePolicy now) {
		return !now.equals(before.streamType(now.name())) || !sameSurroundings(before, after, now);
	}

	/**
	 * Applies a change that came after a stream's creation read the policy and before the stream
	 * was registered, which the change therefore did not see: without this, a stream of a
	 * streamtype the change removed lived on. Call once the stream is registered.
	 * @param runtime the context internals
	 * @param stream the new stream
	 * @param createdWith the policy it was created under
	 */
	public static void apply(StreamsRuntime runtime, AbstractStream stream, Policy createdWith) {
		Policy now = runtime.policy();
		if (now == createdWith) {
			return;
		}
		StreamTypePolicy current = now.streamType(stream.streamType());
		if (current == null || !stream.canFollow(current)) {
			stream.destroy();
		}
		else if (changed(createdWith, now, current)) {
			stream.policyChanged(current);
		}
	}

	private static boolean sameSurroundings(Policy before, Policy after, StreamTypePolicy streamType) {
		if (streamType.viaSocks5() == null && !Objects.equals(before.viaSocks5(), after.viaSocks5())) {
			return false;
		}
		// A connection keeps the schemes it was made with (its validity check, its signing key).
		String retry = streamType.retry();
		if (retry != null && !Objects.equals(before.retry().get(retry), after.retry().get(retry))) {
			return false;
		}
		String auth = streamType.useAuth();
		if (auth != null && !Objects.equals(before.auth().get(auth), after.auth().get(auth))) {
			return false;
		}
		String store = streamType.tls().trustStore();
		return store == null || Objects.equals(anchors(before, store), anchors(after, store));
	}

	private static @Nullable List<@Nullable PolicyCertificate> anchors(Policy policy, String storeName) {
		TrustStore store = policy.trustStores().get(storeName);
		return (store != null) ? store.certificateNames().stream().map(policy.certs()::get).toList() : null;
	}

}
