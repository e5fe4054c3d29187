package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyProblemSink;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.json.LocationMap.Located;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.core.json.UTF8StreamJsonParser;

/**
 * Reads one document in a single streaming pass into a fragment, merges it over a base, then
 * validates the result and locates every problem in the document.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class DocumentReader {

	// lws policies commonly end arrays and objects with a comma.
	private static final JsonFactory FACTORY = new LocatingJsonFactory(
			JsonFactory.builder().enable(JsonReadFeature.ALLOW_TRAILING_COMMA));

	// Jackson quotes an unrecognized token; it may be key material, so keep only its start.
	// Jackson's "(start marker at [Source: REDACTED (...); byte offset: #UNKNOWN])", and its
	// "(for Array starting at [Source: ...])" after a mismatched close marker, name its internals
	// and locate nothing: the problem's own place is where the input ended or the marker is.
	private static final Pattern START_MARKER = Pattern.compile(" \\([^()\\r\\n]*\\[Source: [^\\r\\n]*?\\]\\)");

	private static final Pattern LONG_TOKEN = Pattern.compile("(?<=token ')([^'\\r\\n]{16})[^'\\r\\n]+(?=')");

	private DocumentReader() {
	}

	/**
	 * Reads a document over a base policy.
	 * @param source the source name for problems
	 * @param json the document
	 * @param base the policy the document applies to ({@link Policy#empty()} for a whole policy)
	 * @return the merged policy and the warnings
	 * @throws PolicyException with every error
	 */
	static ParsedPolicy read(String source, byte[] json, Policy base) {
		Problems problems = new Problems(source);
		ReadContext context;
		JsonParser opened = FACTORY.createParser(ObjectReadContext.empty(), json);
		int notUtf8 = (opened instanceof UTF8StreamJsonParser) ? Utf8Check.firstInvalid(json) : -1;
		if (notUtf8 >= 0) {
			opened.close();
		}
		// Jackson reports a byte 0xFF where it is, with the path of the value holding it: the
		// reader stops there as it stops at any other byte that is not UTF-8.
		try (JsonParser parser = (notUtf8 >= 0) ? FACTORY.createParser(ObjectReadContext.empty(), marked(json, notUtf8))
				: opened) {
			if (parser instanceof UTF8StreamJsonParser) {
				problems.columnsInBytesOf(json);
			}
			// Well-formed UTF-8 holds no surrogate: only an escape can make half of a pair.
			boolean surrogatesPossible = !(parser instanceof UTF8StreamJsonParser) || Utf8Check.hasUnicodeEscape(json);
			JsonCursor cursor = new JsonCursor(parser, problems, surrogatesPossible);
			context = new ReadContext(cursor, base);
			try {
				TopLevelReader.read(context);
			}
			catch (JacksonException ex) {
				syntaxError(problems, cursor, parser, ex, (notUtf8 >= 0) ? json[notUtf8] & 0xFF : -1);
				throw new PolicyException(problems.errors(), problems.errorCount());
			}
		}
		if (notUtf8 >= 0) {
			// Only where the reader skipped the bytes unread (Jackson skips a string unchecked).
			problems.fatal(1, 1, "", notUtf8Message(json[notUtf8] & 0xFF) + " at byte offset " + notUtf8);
			throw new PolicyException(problems.errors(), problems.errorCount());
		}
		Set<ReferenceTracker.Site> alreadyReported = context.references.finish(problems);
		Policy merged = context.fragment.applyTo(base);
		validate(context, merged, problems.hasErrors(), new ValidatorProblems(problems, context.locations,
				alreadyReported, merged, context.references));
		if (problems.hasErrors()) {
			throw new PolicyException(problems.errors(), problems.errorCount());
		}
		return new ParsedPolicy(merged, problems.warnings());
	}

	/**
	 * Locates problems found in a policy after it was read, for example by a check of a running
	 * context, as {@link #read} locates its own.
	 * @param source the source name for problems
	 * @param json the document the policy was read from
	 * @param base the policy the document was applied to
	 * @param found the problems
	 * @return the problems; each without a line whose path names a value of the document is
	 * located there, the others are as they were
	 */
	static List<PolicyProblem> locate(String source, byte[] json, Policy base, List<PolicyProblem> found) {
		Problems located = new Problems(source);
		LocationMap locations;
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), json)) {
			if (parser instanceof UTF8StreamJsonParser) {
				located.columnsInBytesOf(json);
			}
			ReadContext context = new ReadContext(new JsonCursor(parser, new Problems(source)), base);
			TopLevelReader.read(context);
			locations = context.locations;
		}
		catch (JacksonException ex) {
			return found;
		}
		for (PolicyProblem problem : found) {
			Located at = (problem.line() <= 0) ? locations.find(problem.path()) : null;
			located.add((at != null) ? problem.at(source, at.line(), at.column(), at.path()) : problem);
		}
		List<PolicyProblem> all = new ArrayList<>(located.errors());
		all.addAll(located.warnings());
		return all;
	}

	private static void validate(ReadContext context, Policy policy, boolean readErrors,
			PolicyProblemSink problems) {
		PolicyValidator.validate(policy, referencesToCheck(context, readErrors), problems);
		for (StreamTypePolicy.Builder keys : context.fragment.streamTypeBuilders()) {
			StreamTypePolicy base = context.base.streamType(keys.name());
			StreamTypePolicy.Builder merged = (base != null) ? base.toBuilder().apply(keys) : keys;
			PolicyValidator.validateKeys(merged, problems);
		}
	}

	// A whole document read without errors, and without a rejected definition, holds every entry
	// it defined, and the reader has resolved each streamtype reference it does not list to an
	// entry defined before it: the validator checks only the listed streamtypes. An overlay can
	// change what base streamtypes refer to, and a document with errors may have dropped
	// definitions: all are checked then.
	private static Predicate<StreamTypePolicy> referencesToCheck(ReadContext context, boolean readErrors) {
		if (readErrors || context.references.hasInvalidDefinitions() || !context.base.equals(Policy.empty())) {
			return (streamType) -> true;
		}
		Set<String> listed = context.referencesToValidate;
		return (streamType) -> listed.contains(streamType.name());
	}

	private static byte[] marked(byte[] json, int at) {
		byte[] marked = json.clone();
		marked[at] = (byte) 0xFF;
		return marked;
	}

	private static String notUtf8Message(int lead) {
		// Overlong, beyond U+10FFFF, a surrogate, cut short or no lead byte at all (Latin-1 text).
		return String.format("invalid UTF-8: byte 0x%02X does not start a well-formed UTF-8 sequence", lead);
	}

	private static void syntaxError(Problems problems, JsonCursor cursor, JsonParser parser, JacksonException ex,
			int notUtf8Lead) {
		TokenStreamLocation location = ex.getLocation();
		if (location == null || location.getLineNr() <= 0) {
			location = parser.currentLocation();
		}
		String message = ex.getOriginalMessage();
		if (notUtf8Lead >= 0 && message != null && message.contains("0xff")) {
			problems.fatal(Math.max(location.getLineNr(), 1), Math.max(location.getColumnNr(), 1),
					cursor.failurePath(), notUtf8Message(notUtf8Lead));
			return;
		}
		message = LONG_TOKEN.matcher((message != null) ? message : ex.getClass().getSimpleName()).replaceAll("$1...");
		message = START_MARKER.matcher(message).replaceAll("");
		int newline = message.indexOf('\n');
		if (newline > 0) {
			message = message.substring(0, newline);
		}
		problems.fatal(Math.max(location.getLineNr(), 1), Math.max(location.getColumnNr(), 1), cursor.failurePath(),
				"invalid JSON: " + message);
	}

}
