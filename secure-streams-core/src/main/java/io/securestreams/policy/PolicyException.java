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

	/** How many errors were found, at least as many as are listed. */
	private final int count;

	/**
	 * Creates an exception for one or more problems.
	 * @param problems the errors, at least one
	 */
	public PolicyException(List<PolicyProblem> problems) {
		this(problems, problems.size());
	}

	/**
	 * Creates an exception for a document with more errors than are listed: the list ends with a
	 * problem that counts the others.
	 * @param problems the errors listed, at least one
	 * @param count how many errors were found, at least one
	 */
	public PolicyException(List<PolicyProblem> problems, int count) {
		super(summary(problems, count));
		this.problems = List.copyOf(problems);
		this.count = count;
	}

	private static String summary(List<PolicyProblem> problems, int count) {
		String lines = problems.stream().map(PolicyProblem::format).collect(Collectors.joining("\n"));
		return (count == 1 && problems.size() == 1) ? "invalid policy: " + lines
				: "invalid policy (" + count + " errors):\n" + lines;
	}

	/**
	 * Returns how many errors were found: the size of {@link #problems()}, or more when a
	 * document had more than are listed (its list then ends with one that counts the rest).
	 * @return the number of errors
	 */
	public int count() {
		return this.count;
	}

	/**
	 * Returns every problem, in document order.
	 * @return the problems
	 */
	public List<PolicyProblem> problems() {
		return this.problems;
	}

}
