package io.securestreams.boot.autoconfigure;

import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblemSink;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
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

	/**
	 * Creates a sink.
	 * @param problems where the placed problems go
	 * @param locator finds where a property was set
	 * @param jsonSource the JSON policy's description, or {@code null} when there is none
	 */
	PropertyProblemSink(List<PolicyProblem> problems, PropertyLocator locator, @Nullable String jsonSource) {
		this(problems, locator, (jsonSource != null) ? jsonSource : "<properties>", null);
	}

	private PropertyProblemSink(List<PolicyProblem> problems, PropertyLocator locator, String jsonSource,
			@Nullable Policy merged) {
		this.problems = problems;
		this.locator = locator;
		this.jsonSource = jsonSource;
		this.merged = merged;
	}

	/**
	 * Returns a sink for the problems of the merged policy, which places a broken server key pair
	 * by the names that policy gives the key and the certificate.
	 * @param merged the JSON policy with the properties applied
	 * @return a sink adding to the same problems
	 */
	PropertyProblemSink forMerged(Policy merged) {
		return new PropertyProblemSink(this.problems, this.locator, this.jsonSource, merged);
	}

	@Override
	public void streamTypeKey(String streamType, StreamTypeKey key, String message) {
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

	@Override
	public void stackEntry(String trustStore, int index, String message) {
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
