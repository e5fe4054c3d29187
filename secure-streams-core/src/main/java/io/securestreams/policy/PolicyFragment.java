package io.securestreams.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A mutable, partial policy: the keys a document or an overlay actually contains. Applying it
 * to a base policy gives a new policy; a whole policy is a fragment applied to
 * {@link Policy#empty()}.
 * <p>
 * Merge rules: top-level scalars that are set replace the base's; {@code retry}, {@code certs},
 * {@code trust_stores} and {@code auth} entries are added or replaced by name; {@code metrics}
 * replaces the list when set; a streamtype that exists in the base gets only the keys the
 * fragment sets, and a new one is added.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyFragment {

	private boolean releaseSet;

	private @Nullable String release;

	private boolean productSet;

	private @Nullable String product;

	private boolean schemaVersionSet;

	private @Nullable Integer schemaVersion;

	private boolean viaSocks5Set;

	private @Nullable String viaSocks5;

	private final Map<String, RetryPolicy> retry = new LinkedHashMap<>();

	private final Map<String, PolicyCertificate> certs = new LinkedHashMap<>();

	private final Map<String, TrustStore> trustStores = new LinkedHashMap<>();

	private final Map<String, AuthScheme> auth = new LinkedHashMap<>();

	private @Nullable List<MetricsPolicy> metrics;

	private final Map<String, StreamTypePolicy.Builder> streamTypes = new LinkedHashMap<>();

	static PolicyFragment of(Policy policy) {
		PolicyFragment fragment = new PolicyFragment().release(policy.release()).product(policy.product())
			.schemaVersion(policy.schemaVersion()).viaSocks5(policy.viaSocks5());
		policy.retry().values().forEach(fragment::retry);
		policy.certs().values().forEach(fragment::certificate);
		policy.trustStores().values().forEach(fragment::trustStore);
		policy.auth().values().forEach(fragment::auth);
		fragment.metrics(policy.metrics());
		policy.streamTypes().values().forEach((st) -> fragment.streamTypes.put(st.name(), st.toBuilder()));
		return fragment;
	}

	/**
	 * Sets {@code release}; applied, it replaces the base's, even with {@code null}.
	 * @param release the policy version, or {@code null} for none
	 * @return this fragment
	 */
	public PolicyFragment release(@Nullable String release) {
		this.releaseSet = true;
		this.release = release;
		return this;
	}

	/**
	 * Sets {@code product}; applied, it replaces the base's, even with {@code null}.
	 * @param product the product the policy applies to, or {@code null} for none
	 * @return this fragment
	 */
	public PolicyFragment product(@Nullable String product) {
		this.productSet = true;
		this.product = product;
		return this;
	}

	/**
	 * Sets {@code schema-version}; applied, it replaces the base's, even with {@code null}.
	 * @param schemaVersion the parser version the policy needs, or {@code null} for none
	 * @return this fragment
	 */
	public PolicyFragment schemaVersion(@Nullable Integer schemaVersion) {
		this.schemaVersionSet = true;
		this.schemaVersion = schemaVersion;
		return this;
	}

	/**
	 * Sets the top-level {@code via-socks5}; applied, it replaces the base's, even with {@code null}.
	 * @param viaSocks5 the SOCKS5 proxy as {@code host:port}, or {@code null} for none
	 * @return this fragment
	 */
	public PolicyFragment viaSocks5(@Nullable String viaSocks5) {
		this.viaSocks5Set = true;
		this.viaSocks5 = viaSocks5;
		return this;
	}

	/**
	 * Adds a {@code retry} entry, replacing one of the same name in this fragment or, applied, in the
	 * base.
	 * @param retryPolicy the retry scheme
	 * @return this fragment
	 */
	public PolicyFragment retry(RetryPolicy retryPolicy) {
		this.retry.put(retryPolicy.name(), retryPolicy);
		return this;
	}

	/**
	 * Adds a {@code certs} entry, replacing one of the same name in this fragment or, applied, in the
	 * base.
	 * @param certificate the certificate or private key
	 * @return this fragment
	 */
	public PolicyFragment certificate(PolicyCertificate certificate) {
		this.certs.put(certificate.name(), certificate);
		return this;
	}

	/**
	 * Adds a {@code trust_stores} entry, replacing one of the same name in this fragment or, applied,
	 * in the base.
	 * @param trustStore the trust store
	 * @return this fragment
	 */
	public PolicyFragment trustStore(TrustStore trustStore) {
		this.trustStores.put(trustStore.name(), trustStore);
		return this;
	}

	/**
	 * Adds an {@code auth} entry, replacing one of the same name in this fragment or, applied, in the
	 * base.
	 * @param scheme the auth scheme
	 * @return this fragment
	 */
	public PolicyFragment auth(AuthScheme scheme) {
		this.auth.put(scheme.name(), scheme);
		return this;
	}

	/**
	 * Sets the {@code metrics} list, a copy; applied, it replaces the base's list whole.
	 * @param metrics the metrics policies
	 * @return this fragment
	 */
	public PolicyFragment metrics(List<MetricsPolicy> metrics) {
		this.metrics = new ArrayList<>(metrics);
		return this;
	}

	/**
	 * Returns the builder of a streamtype in this fragment, adding an empty one when absent.
	 * @param name the streamtype name
	 * @return the builder that collects this fragment's keys for it
	 */
	public StreamTypePolicy.Builder streamType(String name) {
		return this.streamTypes.computeIfAbsent(name, StreamTypePolicy.Builder::new);
	}

	/**
	 * Returns whether this fragment mentions a streamtype.
	 * @param name the streamtype name
	 * @return {@code true} when present
	 */
	public boolean hasStreamType(String name) {
		return this.streamTypes.containsKey(name);
	}

	/**
	 * Returns the names of the streamtypes this fragment mentions.
	 * @return names in fragment order
	 */
	public List<String> streamTypeNames() {
		return List.copyOf(this.streamTypes.keySet());
	}

	/**
	 * Returns the builders of the streamtypes this fragment mentions.
	 * @return an unmodifiable view, in fragment order
	 */
	public Collection<StreamTypePolicy.Builder> streamTypeBuilders() {
		return Collections.unmodifiableCollection(this.streamTypes.values());
	}

	/**
	 * Merges this fragment over a base policy. The result is not validated; see
	 * {@link PolicyValidator}.
	 * @param base the policy to start from
	 * @return the merged policy
	 * @throws IllegalArgumentException if a streamtype value fails its key's check
	 */
	public Policy applyTo(Policy base) {
		Map<String, RetryPolicy> mergedRetry = merge(base.retry(), this.retry);
		Map<String, PolicyCertificate> mergedCerts = merge(base.certs(), this.certs);
		Map<String, TrustStore> mergedTrust = merge(base.trustStores(), this.trustStores);
		Map<String, AuthScheme> mergedAuth = merge(base.auth(), this.auth);
		Map<String, StreamTypePolicy> mergedTypes = new HandedOverMap<>(
				base.streamTypes().size() + this.streamTypes.size());
		mergedTypes.putAll(base.streamTypes());
		for (StreamTypePolicy.Builder builder : this.streamTypes.values()) {
			StreamTypePolicy existing = base.streamTypes().get(builder.name());
			StreamTypePolicy.Builder merged = (existing != null) ? existing.toBuilder().apply(builder) : builder;
			mergedTypes.put(builder.name(), merged.build());
		}
		return new Policy(this.releaseSet ? this.release : base.release(),
				this.productSet ? this.product : base.product(),
				this.schemaVersionSet ? this.schemaVersion : base.schemaVersion(),
				this.viaSocks5Set ? this.viaSocks5 : base.viaSocks5(), mergedRetry, mergedCerts, mergedTrust,
				mergedAuth, (this.metrics != null) ? this.metrics : base.metrics(), mergedTypes);
	}

	private static <V> Map<String, V> merge(Map<String, V> base, Map<String, V> overlay) {
		Map<String, V> merged = new HandedOverMap<>(base.size() + overlay.size());
		merged.putAll(base);
		merged.putAll(overlay);
		return merged;
	}

	/**
	 * Builds a whole policy from this fragment alone (not validated).
	 * @return the policy
	 */
	public Policy build() {
		return applyTo(Policy.empty());
	}

}
