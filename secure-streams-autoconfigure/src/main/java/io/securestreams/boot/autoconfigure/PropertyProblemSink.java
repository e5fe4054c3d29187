package io.securestreams.boot.autoconfigure;

import java.util.List;

import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblemSink;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypeKey;
import org.jspecify.annotations.Nullable;

/**
 * Places each problem the policy validator finds at the {@code secure-streams.policy.*} property
 * that holds the faulty value when one is set, otherwise at the JSON policy (without a position:
 * the value came from it). The validator names the entry apart from the key, so an entry whose
 * name holds a dot ({@code streamtypes[a.b]}, {@code trust-stores[ca.v2]}) is placed as surely
 * as any other, which taking its logical path apart again could not do.
 *
 * @author Secure Streams contributors
 */
final class PropertyProblemSink implements PolicyProblemSink {

	private final List<PolicyProblem> problems;

	private final PropertyLocator locator;

	private final String jsonSource;

	/**
	 * Creates a sink.
	 * @param problems where the placed problems go
	 * @param locator finds where a property was set
	 * @param jsonSource the JSON policy's description, or {@code null} when there is none
	 */
	PropertyProblemSink(List<PolicyProblem> problems, PropertyLocator locator, @Nullable String jsonSource) {
		this.problems = problems;
		this.locator = locator;
		this.jsonSource = (jsonSource != null) ? jsonSource : "<properties>";
	}

	@Override
	public void streamTypeKey(String streamType, StreamTypeKey key, String message) {
		add(PolicyPropertiesMapper.property("streamtypes", streamType) + "."
				+ StreamTypePropertyBindings.propertyName(key), PolicyValidator.path(streamType, key), message);
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

	private void add(String property, String logicalPath, String message) {
		this.problems.add(this.locator.isSet(property) ? this.locator.problem(property, message)
				: PolicyProblem.error(logicalPath, message).at(this.jsonSource, 0, 0, logicalPath));
	}

}
