package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblem.Severity;

/**
 * Collects the located errors and warnings of one document.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class Problems {

	/** Source name of problems about values that are not in the document (an overlay's base). */
	static final String BASE_SOURCE = "<base policy>";

	// Document order; problems outside the document (line 0) go last.
	private static final Comparator<PolicyProblem> ORDER = Comparator
		.comparingInt((PolicyProblem problem) -> (problem.line() > 0) ? problem.line() : Integer.MAX_VALUE)
		.thenComparingInt(PolicyProblem::column);

	private final String source;

	private final List<PolicyProblem> problems = new ArrayList<>();

	// Readers compare counts before and after a value to know whether it was rejected.
	private int errorCount;

	Problems(String source) {
		this.source = source;
	}

	String source() {
		return this.source;
	}

	void error(int line, int column, String path, String message) {
		add(new PolicyProblem(this.source, line, column, path, message, Severity.ERROR));
	}

	void warning(int line, int column, String path, String message) {
		this.problems.add(new PolicyProblem(this.source, line, column, path, message, Severity.WARNING));
	}

	void add(PolicyProblem problem) {
		this.problems.add(problem);
		if (problem.severity() == Severity.ERROR) {
			this.errorCount++;
		}
	}

	int errorCount() {
		return this.errorCount;
	}

	boolean hasErrors() {
		return this.errorCount > 0;
	}

	List<PolicyProblem> errors() {
		return sorted(Severity.ERROR);
	}

	List<PolicyProblem> warnings() {
		return sorted(Severity.WARNING);
	}

	private List<PolicyProblem> sorted(Severity severity) {
		// A stable sort keeps a syntax error after the problems found at the same place.
		return this.problems.stream().filter((problem) -> problem.severity() == severity).sorted(ORDER).toList();
	}

}
