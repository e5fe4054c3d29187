package io.securestreams.policy.json;

import java.util.Set;
import java.util.function.Supplier;

import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblemSink;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.json.LocationMap.Located;
import io.securestreams.policy.json.ReferenceTracker.Site;
import org.jspecify.annotations.Nullable;

/**
 * Locates the validator's problems in the document by the entry at fault, found by its name
 * among the entries the reader recorded, rather than by a logical path: in {@code s.a.port} a
 * streamtype named {@code a.port} and streamtype {@code a}'s key {@code port} cannot be told
 * apart, and a path per problem repeats the entry's name, which may be a megabyte long, for each
 * of thousands of stack entries. A problem that only the base holds is named by its logical path,
 * with a long name shortened as in a document path.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ValidatorProblems implements PolicyProblemSink {

	private final Problems problems;

	private final LocationMap locations;

	private final Set<Site> alreadyReported;

	ValidatorProblems(Problems problems, LocationMap locations, Set<Site> alreadyReported) {
		this.problems = problems;
		this.locations = locations;
		this.alreadyReported = alreadyReported;
	}

	@Override
	public void streamTypeKey(String streamType, StreamTypeKey key, String message) {
		LocationMap.StreamTypeLocations owner = this.locations.streamType(streamType);
		if (owner != null && this.alreadyReported.contains(new Site(owner, "." + key.jsonName()))) {
			return;
		}
		Located located = (owner != null) ? owner.findAccepted(key) : null;
		add(located, () -> PathStack.appendShortened(new StringBuilder("s."), streamType)
			.append('.')
			.append(key.jsonName())
			.toString(), message);
	}

	@Override
	public void stackEntry(String trustStore, int index, String message) {
		LocationMap.TrustStoreLocations owner = this.locations.trustStore(trustStore);
		if (owner != null && this.alreadyReported.contains(new Site(owner, "[" + index + "]"))) {
			return;
		}
		Located located = (owner != null) ? owner.find(index) : null;
		add(located, () -> PathStack.appendShortened(new StringBuilder(LocationMap.TrustStoreLocations.PREFIX),
				trustStore)
			.append(LocationMap.TrustStoreLocations.STACK)
			.append(index)
			.append(']')
			.toString(), message);
	}

	@Override
	public void authStreamType(String scheme, String message) {
		String path = "auth." + scheme + ".streamtype";
		add(this.locations.find(path), () -> path, message);
	}

	private void add(@Nullable Located located, Supplier<String> logicalPath, String message) {
		PolicyProblem problem = (located != null)
				? new PolicyProblem(this.problems.source(), located.line(), located.column(), located.path(), message,
						PolicyProblem.Severity.ERROR)
				: new PolicyProblem(Problems.BASE_SOURCE, 0, 0, logicalPath.get(), message,
						PolicyProblem.Severity.ERROR);
		this.problems.add(problem);
	}

}
