package io.securestreams.policy.json;

import java.util.Set;
import java.util.function.Supplier;

import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.MetricsPolicy;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblemSink;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.json.LocationMap.Located;
import io.securestreams.policy.json.ReferenceTracker.Section;
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

	private final Policy merged;

	private final ReferenceTracker references;

	ValidatorProblems(Problems problems, LocationMap locations, Set<Site> alreadyReported, Policy merged,
			ReferenceTracker references) {
		this.problems = problems;
		this.locations = locations;
		this.alreadyReported = alreadyReported;
		this.merged = merged;
		this.references = references;
	}

	@Override
	public void streamTypeKey(String streamType, StreamTypeKey key, String message) {
		LocationMap.StreamTypeLocations owner = this.locations.streamType(streamType);
		if (owner != null && this.alreadyReported.contains(new Site(owner, "." + key.jsonName()))) {
			return;
		}
		StreamTypePolicy holder = this.merged.streamType(streamType);
		if (key == StreamTypeKey.RIDESHARE && holder != null && namesRejectedStreamType(holder.rideshare())) {
			return;
		}
		Located located = (owner != null) ? owner.findAccepted(key) : null;
		if (located == null && key == StreamTypeKey.SERVER_KEY && holder != null) {
			// A key pair the document broke without naming the key: an overlay replaced the key in
			// certs, named another server_cert, or replaced the certificate in certs.
			Located cert = (owner != null) ? owner.findAccepted(StreamTypeKey.SERVER_CERT) : null;
			Located entry = certsEntry(holder.tls().serverKey());
			if (entry == null && cert == null) {
				entry = certsEntry(holder.tls().serverCert());
			}
			located = (entry != null) ? entry : cert;
			if (entry != null) {
				message = message + " (server_key of streamtype '"
						+ PathStack.appendShortened(new StringBuilder(), streamType) + "')";
			}
		}
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
		AuthScheme auth = this.merged.auth().get(scheme);
		if (auth != null && namesRejectedStreamType(auth.streamType())) {
			return;
		}
		String path = "auth." + scheme + ".streamtype";
		add(this.locations.find(path), () -> path, message);
	}

	@Override
	public void metricsReport(String metrics, String message) {
		MetricsPolicy entry = this.merged.metrics()
			.stream()
			.filter((candidate) -> candidate.name().equals(metrics))
			.findFirst()
			.orElse(null);
		if (entry != null && namesRejectedStreamType(entry.report())) {
			return;
		}
		String path = PolicyValidator.metricsReportPath(metrics);
		add(this.locations.find(path), () -> path, message);
	}

	private @Nullable Located certsEntry(@Nullable String name) {
		return (name != null) ? this.locations.find(CertsReader.CERTS_PREFIX + name) : null;
	}

	// A streamtype this document defined but the reader refused has its own problem; a use of its
	// name is not reported again as naming no streamtype.
	private boolean namesRejectedStreamType(@Nullable String name) {
		return name != null && this.references.isRejected(Section.STREAMTYPES, name);
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
