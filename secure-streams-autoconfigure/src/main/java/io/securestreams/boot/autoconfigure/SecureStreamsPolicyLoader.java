package io.securestreams.boot.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.boot.autoconfigure.SecureStreamsProperties.PolicyProperties;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.json.PolicyParser;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.util.StreamUtils;

/**
 * Loads the policy from the JSON resource at {@code secure-streams.policy.location}, then
 * applies the typed {@code secure-streams.policy.*} properties over it as an overlay (or builds
 * the policy from the properties alone). A property that binds to nothing is an error, as an
 * unknown key of the JSON is. Every error of either source is reported at once in a
 * {@link PolicyException}, JSON problems at {@code FILE:LINE:COL} and property problems at the
 * property's origin.
 *
 * @author Secure Streams contributors
 */
final class SecureStreamsPolicyLoader {

	private static final String LOCATION_PROPERTY = "secure-streams.policy.location";

	private final Environment environment;

	SecureStreamsPolicyLoader(Environment environment) {
		this.environment = environment;
	}

	/**
	 * Binds {@code secure-streams.*} from the environment, for use before the properties bean
	 * exists.
	 * @param environment the environment
	 * @return the bound properties
	 */
	static SecureStreamsProperties bind(Environment environment) {
		return Binder.get(environment).bind("secure-streams", SecureStreamsProperties.class)
			.orElseGet(SecureStreamsProperties::new);
	}

	/**
	 * Loads the policy.
	 * @param properties the policy properties
	 * @return the validated policy
	 * @throws PolicyException with every problem of the JSON, or of the properties
	 */
	Policy load(PolicyProperties properties) {
		Resource location = properties.getLocation();
		String jsonSource = (location != null) ? PropertyLocator.describe(location) : null;
		PropertyLocator locator = new PropertyLocator(this.environment);
		List<PolicyProblem> unknown = UnknownPolicyProperties.find(this.environment, locator);
		Policy base = (location != null) ? parse(location, jsonSource, locator) : Policy.empty();
		if (!properties.hasContent()) {
			PolicyValidator.throwIfErrors(unknown);
			return base;
		}
		PolicyPropertiesMapper mapper = new PolicyPropertiesMapper(locator);
		PolicyFragment fragment = mapper.map(properties);
		List<PolicyProblem> problems = new ArrayList<>(unknown);
		problems.addAll(mapper.problems());
		PropertyProblemSink sink = new PropertyProblemSink(problems, locator, jsonSource, mapper.refusedEntries());
		for (String name : fragment.streamTypeNames()) {
			StreamTypePolicy existing = base.streamType(name);
			PolicyValidator.validateKeys((existing != null) ? existing.toBuilder().apply(fragment.streamType(name))
					: fragment.streamType(name), sink);
		}
		// Values the model refused were left out of the fragment, so the rest can still be
		// checked: every problem is reported at once.
		Policy merged = fragment.applyTo(base);
		PolicyValidator.validate(merged, (streamType) -> true, sink.forMerged(merged));
		PolicyValidator.throwIfErrors(problems);
		return merged;
	}

	private static Policy parse(Resource location, String sourceName, PropertyLocator locator) {
		byte[] json;
		try {
			json = read(location);
		}
		catch (IOException ex) {
			// Located at the property that names the resource: the resource has no place to show.
			throw new PolicyException(List.of(locator.problem(LOCATION_PROPERTY,
					"cannot read " + sourceName + ": " + ex.getMessage())));
		}
		return new PolicyParser().parse(sourceName, json).policy();
	}

	/**
	 * Reads a resource named by a property.
	 * @param resource the resource
	 * @return its bytes
	 * @throws IOException if it cannot be read, or is a directory
	 */
	static byte[] read(Resource resource) throws IOException {
		// A file: URL of a directory reads as the listing of its file names, not as an error.
		if (resource.isFile() && resource.getFile().isDirectory()) {
			throw new IOException("is a directory; name the file in it");
		}
		return StreamUtils.copyToByteArray(resource.getInputStream());
	}

}
