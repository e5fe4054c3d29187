package io.securestreams.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The validator's problems as a list, each with its logical path, which is built only for a
 * problem: a large policy has thousands of valid references.
 *
 * @author Secure Streams contributors
 */
final class PolicyProblemList implements PolicyProblemSink {

	final List<PolicyProblem> problems = new ArrayList<>();

	@Override
	public void streamTypeKey(String streamType, StreamTypeKey key, String message) {
		this.problems.add(PolicyProblem.error(PolicyValidator.path(streamType, key), message));
	}

	@Override
	public void stackEntry(String trustStore, int index, String message) {
		this.problems.add(PolicyProblem.error(PolicyValidator.stackPath(trustStore, index), message));
	}

	@Override
	public void authStreamType(String scheme, String message) {
		this.problems.add(PolicyProblem.error(PolicyValidator.authStreamTypePath(scheme), message));
	}

	@Override
	public void metricsReport(String metrics, String message) {
		this.problems.add(PolicyProblem.error(PolicyValidator.metricsReportPath(metrics), message));
	}

}
