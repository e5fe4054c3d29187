package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.List;

import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.ServerOption;
import io.securestreams.policy.StreamTypeValues;
import org.jspecify.annotations.Nullable;

/**
 * Reads the streamtype keys whose values are JSON structures: {@code metadata},
 * {@code http_resp_map} and {@code options}. Each problem is reported at the entry at fault.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StructuredValues {

	private StructuredValues() {
	}

	/**
	 * Reads {@code [{"name": "header:"}, {"a": "", "b": ""}]}; the index of a name is its overall
	 * position.
	 * @param context the read context, on the value
	 * @return the declarations, or {@code null} after reporting a problem
	 */
	static @Nullable List<MetadataDeclaration> metadata(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of {\"name\": \"header-name:\"} objects");
			return null;
		}
		int errorsBefore = context.problems().errorCount();
		List<MetadataDeclaration> declarations = new ArrayList<>();
		SeenNames seen = new SeenNames();
		eachMemberOfEachObject(cursor,
				(name, line, column) -> metadataEntry(context, name, line, column, seen, declarations));
		return (context.problems().errorCount() == errorsBefore) ? declarations : null;
	}

	/**
	 * Reads an array of objects member by member. A loop over the cursor, not its handler-based
	 * {@code elements} and {@code fields}: every streamtype has metadata, and the two readers here
	 * keep this call site within what the JIT inlines (see {@code JsonCursor.beginObject}).
	 */
	private static void eachMemberOfEachObject(JsonCursor cursor, JsonCursor.FieldHandler member) {
		cursor.beginArray();
		while (cursor.nextElement()) {
			if (!cursor.isObject()) {
				cursor.unexpected("an object");
				continue;
			}
			cursor.beginObject();
			for (String name = cursor.nextMember(); name != null; name = cursor.nextMember()) {
				member.field(name, cursor.keyLine(), cursor.keyColumn());
			}
		}
	}

	private static void metadataEntry(ReadContext context, String name, int line, int column, SeenNames seen,
			List<MetadataDeclaration> declarations) {
		JsonCursor cursor = context.cursor;
		long position = cursor.position();
		String mapping = context.string("a header name such as content-type: or an empty string");
		MetadataDeclaration declaration = null;
		String mappingProblem = null;
		try {
			declaration = new MetadataDeclaration(name, (mapping != null) ? mapping : "");
		}
		catch (IllegalArgumentException ex) {
			// Which part is wrong is worked out only for a problem: a valid entry is checked once.
			try {
				StreamTypeValues.checkMetadataName(name);
				mappingProblem = ex.getMessage();
			}
			catch (IllegalArgumentException nameProblem) {
				context.problems().error(line, column, cursor.path(), nameProblem.getMessage());
				return;
			}
		}
		if (!seen.add(name)) {
			context.problems().error(line, column, cursor.path(), "metadata name '" + name + "' is declared twice");
			return;
		}
		if (mappingProblem != null) {
			context.problems().error(JsonCursor.line(position), JsonCursor.column(position), cursor.path(),
					mappingProblem);
		}
		else if (mapping != null) {
			declarations.add(declaration);
		}
	}

	/**
	 * Reads {@code [{"530": 1530}, ...]}.
	 * @param context the read context, on the value
	 * @return the mappings, or {@code null} after reporting a problem
	 */
	static @Nullable List<HttpResponseMapping> responseMap(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of {\"http status\": state} objects");
			return null;
		}
		int errorsBefore = context.problems().errorCount();
		List<HttpResponseMapping> mappings = new ArrayList<>();
		// The status is checked to be 100..599 before it is recorded: a bit per status.
		long[] seen = new long[STATUS_WORDS];
		eachMemberOfEachObject(cursor,
				(name, line, column) -> responseEntry(context, name, line, column, seen, mappings));
		return (context.problems().errorCount() == errorsBefore) ? mappings : null;
	}

	private static void responseEntry(ReadContext context, String name, int line, int column, long[] seen,
			List<HttpResponseMapping> mappings) {
		JsonCursor cursor = context.cursor;
		Long state = context.integral(1, Integer.MAX_VALUE);
		int status;
		try {
			status = Integer.parseInt(asciiDigits(name));
			StreamTypeValues.checkResponseMapping(status, 1);
		}
		catch (IllegalArgumentException ex) {
			context.problems().error(line, column, cursor.path(),
					"expected an HTTP status 100..599 as the key, got \"" + name + "\"");
			return;
		}
		if (!addStatus(seen, status)) {
			context.problems().error(line, column, cursor.path(), "status " + status + " is mapped twice");
		}
		else if (state != null) {
			mappings.add(new HttpResponseMapping(status, state.intValue()));
		}
	}

	// Integer.parseInt reads the digits of every script: "٥٣٠" would be status 530, which
	// libwebsockets' atoi reads as 0, a status no response has.
	private static String asciiDigits(String name) {
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c > 0x7f) {
				throw new NumberFormatException(name);
			}
		}
		return name;
	}

	/**
	 * Reads server options, {@code {"name": value}} or an array of such objects; scalar values are
	 * kept as text.
	 * @param context the read context, on the value
	 * @return the options, or {@code null} after reporting a problem
	 */
	static @Nullable List<ServerOption> options(ReadContext context) {
		JsonCursor cursor = context.cursor;
		List<ServerOption> options = new ArrayList<>();
		JsonCursor.FieldHandler option = (name, line, column) -> {
			int valueLine = cursor.line();
			int valueColumn = cursor.column();
			Object value = cursor.value();
			if (value instanceof Number) {
				// As written: "1e2" or "0.10", which lws hands on as they are, not Java's 100.0 or 0.1.
				options.add(new ServerOption(name, cursor.text()));
			}
			else if (value instanceof String || value instanceof Boolean) {
				options.add(new ServerOption(name, String.valueOf(value)));
			}
			else {
				context.problems().error(valueLine, valueColumn, cursor.path(),
						"expected a string, number or boolean option value, got " + JsonCursor.describe(value));
			}
		};
		if (cursor.isObject()) {
			int errorsBefore = context.problems().errorCount();
			cursor.fields(option);
			return (context.problems().errorCount() == errorsBefore) ? options : null;
		}
		return objects(context, "an object of options or an array of option objects", option) ? options : null;
	}

	private static final int STATUS_WORDS = 10;

	private static boolean addStatus(long[] seen, int status) {
		long bit = 1L << (status & 63);
		boolean added = (seen[status >>> 6] & bit) == 0;
		seen[status >>> 6] |= bit;
		return added;
	}

	private static boolean objects(ReadContext context, String expected, JsonCursor.FieldHandler member) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected(expected);
			return false;
		}
		int errorsBefore = context.problems().errorCount();
		cursor.elements((index) -> {
			if (!cursor.isObject()) {
				cursor.unexpected("an object");
				return;
			}
			cursor.fields(member);
		});
		return context.problems().errorCount() == errorsBefore;
	}

}
