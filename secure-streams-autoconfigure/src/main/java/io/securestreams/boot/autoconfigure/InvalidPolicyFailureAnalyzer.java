package io.securestreams.boot.autoconfigure;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an invalid policy at start-up, from JSON or from properties, with every problem on its
 * own line as {@code FILE:LINE:COL: PATH: MESSAGE}, and says how to fix it.
 *
 * @author Secure Streams contributors
 */
class InvalidPolicyFailureAnalyzer extends AbstractFailureAnalyzer<PolicyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PolicyException cause) {
		StringBuilder description = new StringBuilder("The Secure Streams policy is invalid (")
			.append(cause.count())
			.append((cause.count() == 1) ? " problem" : " problems")
			.append("):\n");
		for (PolicyProblem problem : cause.problems()) {
			description.append("\n    ").append(problem.format());
		}
		String action = """
				Fix each problem at the place it names: a JSON policy file at FILE:LINE:COLUMN, or a \
				property under secure-streams.policy (the policy's JSON keys in kebab case; streamtype \
				names other than lowercase letters, digits and '-' need brackets, for example \
				secure-streams.policy.streamtypes[fetch_policy].endpoint). Properties are applied as an \
				overlay over the JSON policy of secure-streams.policy.location. A JSON policy can be \
				checked offline with 'java -jar policy-tool.jar validate FILE'.""";
		return new FailureAnalysis(description.toString(), action, cause);
	}

}
