package io.securestreams.policy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * An immutable policy database. Maps keep policy order; equality ignores order.
 *
 * @param release the policy release identifier ({@code release})
 * @param product the product the policy applies to ({@code product})
 * @param schemaVersion the minimum policy parser version ({@code schema-version})
 * @param viaSocks5 SOCKS5 proxy {@code host:port} for all client streams ({@code via-socks5})
 * @param retry named retry schemes ({@code retry})
 * @param certs named certificates and keys ({@code certs})
 * @param trustStores named trust stores ({@code trust_stores})
 * @param auth named auth schemes ({@code auth})
 * @param metrics metrics policies ({@code metrics})
 * @param streamTypes streamtypes by name ({@code s})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record Policy(@Nullable String release, @Nullable String product, @Nullable Integer schemaVersion,
		@Nullable String viaSocks5, Map<String, RetryPolicy> retry, Map<String, PolicyCertificate> certs,
		Map<String, TrustStore> trustStores, Map<String, AuthScheme> auth, List<MetricsPolicy> metrics,
		Map<String, StreamTypePolicy> streamTypes) {

	private static final Policy EMPTY = new Policy(null, null, null, null, Map.of(), Map.of(), Map.of(), Map.of(),
			List.of(), Map.of());

	/**
	 * Keeps the named sections, in their given order, unmodifiable (a map built for this policy is
	 * wrapped rather than copied) and copies the metrics, unmodifiable.
	 * @param release the policy release identifier ({@code release})
	 * @param product the product the policy applies to ({@code product})
	 * @param schemaVersion the minimum policy parser version ({@code schema-version})
	 * @param viaSocks5 SOCKS5 proxy {@code host:port} for all client streams ({@code via-socks5})
	 * @param retry named retry schemes ({@code retry})
	 * @param certs named certificates and keys ({@code certs})
	 * @param trustStores named trust stores ({@code trust_stores})
	 * @param auth named auth schemes ({@code auth})
	 * @param metrics metrics policies ({@code metrics})
	 * @param streamTypes streamtypes by name ({@code s})
	 */
	public Policy {
		retry = ordered(retry);
		certs = ordered(certs);
		trustStores = ordered(trustStores);
		auth = ordered(auth);
		metrics = List.copyOf(metrics);
		streamTypes = ordered(streamTypes);
	}

	private static <V> Map<String, V> ordered(Map<String, V> map) {
		return HandedOverMap.keep(map);
	}

	/**
	 * Returns the policy with nothing in it, the base every fragment can apply to.
	 * @return the empty policy
	 */
	public static Policy empty() {
		return EMPTY;
	}

	/**
	 * Looks a streamtype up.
	 * @param name the streamtype name
	 * @return the streamtype, or {@code null} when the policy has none of that name
	 */
	public @Nullable StreamTypePolicy streamType(String name) {
		return this.streamTypes.get(name);
	}

	/**
	 * Returns the retry scheme a streamtype uses.
	 * @param streamType the streamtype
	 * @return the scheme, or {@code null} when the streamtype has no retries
	 */
	public @Nullable RetryPolicy retryFor(StreamTypePolicy streamType) {
		return (streamType.retry() != null) ? this.retry.get(streamType.retry()) : null;
	}

	/**
	 * Returns the certificates of a trust store, ready for a trust manager.
	 * @param trustStoreName the trust store name
	 * @return its certificates in policy order
	 * @throws IllegalArgumentException if the policy has no such trust store
	 */
	public List<X509Certificate> trustAnchors(String trustStoreName) {
		TrustStore store = this.trustStores.get(trustStoreName);
		if (store == null) {
			throw new IllegalArgumentException("policy has no trust store '" + trustStoreName + "'");
		}
		List<X509Certificate> anchors = new ArrayList<>();
		for (String certName : store.certificateNames()) {
			PolicyCertificate cert = this.certs.get(certName);
			if (cert == null) {
				throw new IllegalArgumentException(
						"trust store '" + trustStoreName + "' names missing cert '" + certName + "'");
			}
			anchors.add(cert.certificate());
		}
		return anchors;
	}

	/**
	 * Returns a fragment holding everything in this policy, to build a modified copy.
	 * @return a new fragment
	 */
	public PolicyFragment toFragment() {
		return PolicyFragment.of(this);
	}

	@Override
	public String toString() {
		return "Policy[release=" + this.release + ", product=" + this.product + ", " + this.retry.size()
				+ " retry, " + this.certs.size() + " certs, " + this.trustStores.size() + " trust stores, "
				+ this.streamTypes.size() + " streamtypes " + this.streamTypes.keySet() + "]";
	}

}
