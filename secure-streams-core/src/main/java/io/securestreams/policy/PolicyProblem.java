package io.securestreams.policy;

/**
 * One error or warning about a policy, with where it is.
 *
 * @param source the file or resource name, or a description such as {@code <overlay>}
 * @param line 1-based line, or 0 when unknown
 * @param column 1-based column, or 0 when unknown
 * @param path the JSON path of the offending value, for example {@code s[2].mintest.retry}
 * @param message what is wrong and what was expected
 * @param severity whether the policy is rejected
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record PolicyProblem(String source, int line, int column, String path, String message, Severity severity) {

	/** How serious a problem is. */
	public enum Severity {

		/** The policy is rejected. */
		ERROR,

		/** The policy is accepted, but something in it is deprecated or ignored. */
		WARNING

	}

	/**
	 * Creates an error without a location yet (model-level checks).
	 * @param path the logical path
	 * @param message the message
	 * @return the problem
	 */
	public static PolicyProblem error(String path, String message) {
		return new PolicyProblem("", 0, 0, path, message, Severity.ERROR);
	}

	/**
	 * Creates a warning without a location yet.
	 * @param path the logical path
	 * @param message the message
	 * @return the problem
	 */
	public static PolicyProblem warning(String path, String message) {
		return new PolicyProblem("", 0, 0, path, message, Severity.WARNING);
	}

	/**
	 * Returns this problem with a location.
	 * @param source the source name
	 * @param line the line
	 * @param column the column
	 * @param path the document path
	 * @return a located copy
	 */
	public PolicyProblem at(String source, int line, int column, String path) {
		return new PolicyProblem(source, line, column, path, this.message, this.severity);
	}

	/**
	 * Formats as {@code FILE:LINE:COL: PATH: MESSAGE}; parts that are unknown are left out.
	 * @return the one-line report
	 */
	public String format() {
		StringBuilder text = new StringBuilder(this.source.isEmpty() ? "<policy>" : this.source);
		if (this.line > 0) {
			text.append(':').append(this.line).append(':').append(this.column);
		}
		text.append(": ");
		if (!this.path.isEmpty()) {
			text.append(this.path).append(": ");
		}
		if (this.severity == Severity.WARNING) {
			text.append("warning: ");
		}
		return text.append(this.message).toString();
	}

	@Override
	public String toString() {
		return format();
	}

}
