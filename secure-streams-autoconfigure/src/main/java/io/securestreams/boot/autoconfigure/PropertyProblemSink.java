package io.securestreams.boot.autoconfigure;

import java.util.List;
import java.util.Set;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblemSink;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.TrustStore;
import org.jspecify.annotations.Nullable;

/**
 * Places each problem the policy validator finds at the {@code secure-streams.policy.*} property
 * that holds the faulty value when one is set, otherwise at the JSON policy (without a position:
 * the value came from it). The validator names the entry apart from the key, so an entry whose
 * name holds a dot ({@code streamtypes[a.b]}, {@code trust-stores[ca.v2]}) is placed as surely
 * as any other, which taking its logical path apart again could not do. A server key pair the
 * properties broke without naming the key (by replacing the key or the certificate in
 * {@code certs}, or by naming another {@code server-cert}) is placed at the property that did.
 *
 * @author Secure Streams contributors
 */
final class PropertyProblemSink implements PolicyProblemSink {

	private final List<PolicyProblem> problems;

	private final PropertyLocator locator;

	private final String jsonSource;

	private final @Nullable Policy merged;

	private final Set<String> refusedEntries;

	/**
	 * Creates a sink.
	 * @param problems where the placed problems go
	 * @param locator finds where a property was set
	 * @param jsonSource the JSON policy's description, or {@code null} when there is none
	 * @param refusedEntries the properties of the section entries left out for a bad value, whose
	 * names elsewhere are not reported again as naming nothing
	 */
	PropertyProblemSink(List<PolicyProblem> problems, PropertyLocator locator, @Nullable String jsonSource,
			Set<String> refusedEntries) {
		this(problems, locator, (jsonSource != null) ? jsonSource : "<properties>", null, refusedEntries);
	}

	private PropertyProblemSink(List<PolicyProblem> problems, PropertyLocator locator, String jsonSource,
			@Nullable Policy merged, Set<String> refusedEntries) {
		this.problems = problems;
		this.locator = locator;
		this.jsonSource = jsonSource;
		this.merged = merged;
		this.refusedEntries = refusedEntries;
	}

	/**
	 * Returns a sink for the problems of the merged policy, which places a broken server key pair
	 * by the names that policy gives the key and the certificate.
	 * @param merged the JSON policy with the properties applied
	 * @return a sink adding to the same problems
	 */
	PropertyProblemSink forMerged(Policy merged) {
		return new PropertyProblemSink(this.problems, this.locator, this.jsonSource, merged, this.refusedEntries);
	}

	@Override
	public void streamTypeKey(String streamType, StreamTypeKey key, String message) {
		StreamTypePolicy named = (this.merged != null) ? this.merged.streamType(streamType) : null;
		if (named != null && isRefused(key.reference(), key.get(named))) {
			return; // the entry it names was left out, and its own problem is reported
		}
		String property = streamTypeProperty(streamType, key);
		if (key == StreamTypeKey.SERVER_KEY && !this.locator.isSet(property)) {
			String cause = keyPairCause(streamType);
			if (cause != null) {
				this.problems.add(this.locator.problem(cause, cause.startsWith(PolicyPropertiesMapper.PREFIX + ".certs")
						? message + " (server_key of streamtype '" + streamType + "')" : message));
				return;
			}
		}
		add(property, PolicyValidator.path(streamType, key), message);
	}

	// The key first, as the JSON reader does: a replaced key is the likelier cause than the
	// certificate it no longer pairs with.
	private @Nullable String keyPairCause(String streamType) {
		StreamTypePolicy holder = (this.merged != null) ? this.merged.streamType(streamType) : null;
		if (holder == null) {
			return null;
		}
		String key = setCertsEntry(holder.tls().serverKey());
		if (key != null) {
			return key;
		}
		String serverCert = streamTypeProperty(streamType, StreamTypeKey.SERVER_CERT);
		return this.locator.isSet(serverCert) ? serverCert : setCertsEntry(holder.tls().serverCert());
	}

	private @Nullable String setCertsEntry(@Nullable String name) {
		String property = (name != null) ? PolicyPropertiesMapper.property("certs", name) : null;
		return (property != null && this.locator.isSet(property)) ? property : null;
	}

	private static String streamTypeProperty(String streamType, StreamTypeKey key) {
		return PolicyPropertiesMapper.property("streamtypes", streamType) + "."
				+ StreamTypePropertyBindings.propertyName(key);
	}

	// Whether a reference names a section entry the properties define but that was left out.
	private boolean isRefused(StreamTypeKey.@Nullable Reference reference, @Nullable Object name) {
		String section = (reference == null) ? null : switch (reference) {
			case RETRY -> "retry";
			case TRUST_STORE -> "trust-stores";
			case AUTH -> "auth";
			case CERTIFICATE, PRIVATE_KEY -> "certs";
			default -> null;
		};
		return section != null && name instanceof String entry
				&& this.refusedEntries.contains(PolicyPropertiesMapper.property(section, entry));
	}

	@Override
	public void stackEntry(String trustStore, int index, String message) {
		TrustStore named = (this.merged != null) ? this.merged.trustStores().get(trustStore) : null;
		if (named != null && index < named.certificateNames().size()
				&& isRefused(StreamTypeKey.Reference.CERTIFICATE, named.certificateNames().get(index))) {
			return; // the certificate it names was left out, and its own problem is reported
		}
		String store = PolicyPropertiesMapper.property("trust-stores", trustStore);
		String entry = store + "[" + index + "]";
		// A YAML list sets each entry; a comma-separated value, or a single name, only the store.
		add(this.locator.isSet(entry) ? entry : store, PolicyValidator.stackPath(trustStore, index), message);
	}

	@Override
	public void authStreamType(String scheme, String message) {
		add(PolicyPropertiesMapper.property("auth", scheme) + ".streamtype", PolicyValidator.authStreamTypePath(scheme),
				message);
	}

	@Override
	public void metricsReport(String metrics, String message) {
		add(PolicyPropertiesMapper.property("metrics", metrics) + ".report", PolicyValidator.metricsReportPath(metrics),
				message);
	}

	private void add(String property, String logicalPath, String message) {
		this.problems.add(this.locator.isSet(property) ? this.locator.problem(property, message)
				: PolicyProblem.error(logicalPath, message).at(this.jsonSource, 0, 0, logicalPath));
	}

}
