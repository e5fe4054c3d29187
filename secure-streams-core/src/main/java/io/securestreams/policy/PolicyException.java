package io.securestreams.policy;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a policy, or an overlay over one, is invalid. It carries every error found in
 * the document, each with its location.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class PolicyException extends RuntimeException {

	/** Every problem, in document order; an unmodifiable copy. */
	private final List<PolicyProblem> problems;

	/**
	 * Creates an exception for one or more problems.
	 * @param problems the errors, at least one
	 */
	public PolicyException(List<PolicyProblem> problems) {
		super(summary(problems));
		this.problems = List.copyOf(problems);
	}

	private static String summary(List<PolicyProblem> problems) {
		String lines = problems.stream().map(PolicyProblem::format).collect(Collectors.joining("\n"));
		return (problems.size() == 1) ? "invalid policy: " + lines
				: "invalid policy (" + problems.size() + " errors):\n" + lines;
	}

	/**
	 * Returns every problem, in document order.
	 * @return the problems
	 */
	public List<PolicyProblem> problems() {
		return this.problems;
	}

}
