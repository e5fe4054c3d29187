package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblem.Severity;
import org.jspecify.annotations.Nullable;

/**
 * Collects the located errors and warnings of one document. At most {@link #LISTED} of each
 * severity are kept, the rest only counted: a 64 MiB policy file with an error every few bytes
 * would otherwise take gigabytes to report, and nobody reads past the first screenful.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class Problems {

	/** Source name of problems about values that are not in the document (an overlay's base). */
	static final String BASE_SOURCE = "<base policy>";

	/** How many errors, and how many warnings, are listed; more are counted in one last problem. */
	static final int LISTED = 100;

	// Document order; problems outside the document (line 0) go last.
	private static final Comparator<PolicyProblem> ORDER = Comparator
		.comparingInt((PolicyProblem problem) -> (problem.line() > 0) ? problem.line() : Integer.MAX_VALUE)
		.thenComparingInt(PolicyProblem::column);

	private final String source;

	private final List<PolicyProblem> problems = new ArrayList<>();

	// Readers compare counts before and after a value to know whether it was rejected.
	private int errorCount;

	private int warningCount;

	// A UTF-8 document whose columns Jackson counted in bytes (a byte order mark included), and
	// where its lines start, found when a problem is reported.
	private byte @Nullable [] utf8;

	private int @Nullable [] lineStarts;

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
		add(new PolicyProblem(this.source, line, column, path, message, Severity.WARNING));
	}

	/**
	 * Adds the error that ends the reading (invalid JSON); it is listed even past the limit, as
	 * it says why the rest of the document was not read.
	 */
	void fatal(int line, int column, String path, String message) {
		this.problems.add(new PolicyProblem(this.source, line, column, path, message, Severity.ERROR));
		this.errorCount++;
	}

	void add(PolicyProblem problem) {
		int count = (problem.severity() == Severity.ERROR) ? ++this.errorCount : ++this.warningCount;
		if (count <= LISTED) {
			this.problems.add(problem);
		}
	}

	/**
	 * Says that the columns given are counted in bytes of this UTF-8 document, as Jackson counts
	 * them; problems are reported with columns in characters, as an editor shows them.
	 * @param document the document
	 */
	void columnsInBytesOf(byte[] document) {
		this.utf8 = document;
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
		List<PolicyProblem> listed = inCharacters(
				this.problems.stream().filter((problem) -> problem.severity() == severity).sorted(ORDER).toList());
		int count = (severity == Severity.ERROR) ? this.errorCount : this.warningCount;
		int unlisted = count - listed.size();
		if (unlisted <= 0) {
			return listed;
		}
		List<PolicyProblem> withCount = new ArrayList<>(listed);
		String kind = (severity == Severity.ERROR) ? "errors" : "warnings";
		withCount.add(new PolicyProblem(this.source, 0, 0, "", unlisted + " more " + kind + " not listed", severity));
		return withCount;
	}

	// One walk over the document for all the problems, which are in document order: a document
	// with a problem at every key must not be read again from its line's start for each.
	private List<PolicyProblem> inCharacters(List<PolicyProblem> sorted) {
		byte[] document = this.utf8;
		if (document == null || sorted.isEmpty()) {
			return sorted;
		}
		int[] starts = lineStarts(document);
		boolean bom = document.length >= 3 && (document[0] & 0xff) == 0xEF && (document[1] & 0xff) == 0xBB
				&& (document[2] & 0xff) == 0xBF;
		List<PolicyProblem> converted = new ArrayList<>(sorted.size());
		int line = 0;
		int position = 0;
		int column = 1;
		for (PolicyProblem problem : sorted) {
			if (problem.line() <= 0 || problem.line() > starts.length) {
				converted.add(problem);
				continue;
			}
			if (problem.line() != line) {
				line = problem.line();
				position = (line == 1 && bom) ? 3 : starts[line - 1];
				column = 1;
			}
			int end = Math.min(document.length, starts[line - 1] + problem.column() - 1);
			for (; position < end; position++) {
				// Every byte but a continuation byte starts a character.
				if ((document[position] & 0xC0) != 0x80) {
					column++;
				}
			}
			converted.add((column == problem.column()) ? problem
					: problem.at(problem.source(), problem.line(), column, problem.path()));
		}
		return converted;
	}

	// Line breaks as Jackson counts them: LF, CR LF and a lone CR.
	private int[] lineStarts(byte[] document) {
		int[] starts = this.lineStarts;
		if (starts == null) {
			starts = new int[16];
			int count = 1;
			for (int i = 0; i < document.length; i++) {
				byte b = document[i];
				if (b == '\n' || b == '\r') {
					if (b == '\r' && i + 1 < document.length && document[i + 1] == '\n') {
						i++;
					}
					if (count == starts.length) {
						starts = Arrays.copyOf(starts, count * 2);
					}
					starts[count++] = i + 1;
				}
			}
			starts = Arrays.copyOf(starts, count);
			this.lineStarts = starts;
		}
		return starts;
	}

}
