package io.securestreams.policy.json;

import java.util.HashSet;
import java.util.Set;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeValues;
import io.securestreams.policy.json.ReferenceTracker.Section;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonToken;

/**
 * The state shared by the section readers while one document is read.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ReadContext {

	final JsonCursor cursor;

	final Policy base;

	final PolicyFragment fragment = new PolicyFragment();

	final ReferenceTracker references;

	final LocationMap locations = new LocationMap();

	// Streamtypes with a reference the reader did not resolve itself (see DocumentReader).
	final Set<String> referencesToValidate = new HashSet<>();

	ReadContext(JsonCursor cursor, Policy base) {
		this.cursor = cursor;
		this.base = base;
		this.references = new ReferenceTracker(base);
	}

	Problems problems() {
		return this.cursor.problems();
	}

	/**
	 * Records a named definition, reporting an empty or duplicate name at the name's position.
	 * @param section the namespace
	 * @param name the name
	 * @param line line of the name
	 * @param column column of the name
	 * @param path document path of the name
	 * @return {@code true} when the definition may be used, {@code false} when it must be dropped
	 */
	boolean define(Section section, String name, int line, int column, String path) {
		return record(section, name, line, column, path);
	}

	/**
	 * Records a named definition whose value the cursor is on, reporting an empty or duplicate
	 * name at the name's position with the cursor's path (formatted only then).
	 * @param section the namespace
	 * @param name the name
	 * @param line line of the name
	 * @param column column of the name
	 * @return {@code true} when the definition may be used, {@code false} when it must be dropped
	 */
	boolean define(Section section, String name, int line, int column) {
		return record(section, name, line, column, null);
	}

	// knownPath null: the cursor is on the entry, and its path is formatted only for a problem.
	private boolean record(Section section, String name, int line, int column, @Nullable String knownPath) {
		if (name.isEmpty()) {
			problems().error(line, column, pathOr(knownPath), section.description() + " name must not be empty");
			return false;
		}
		int first = this.references.define(section, name, line);
		if (first != 0) {
			problems().error(line, column, pathOr(knownPath), "duplicate " + section.description() + " name '" + name
					+ "' (first defined at line " + first + ")");
			return false;
		}
		return true;
	}

	private String pathOr(@Nullable String knownPath) {
		return (knownPath != null) ? knownPath : this.cursor.path();
	}

	/**
	 * Reads an integer member within a range, reporting anything else.
	 * @param min the smallest value
	 * @param max the largest value
	 * @return the value, or {@code null} after reporting a problem
	 */
	@Nullable Long integral(long min, long max) {
		long position = this.cursor.position();
		int line = JsonCursor.line(position);
		int column = JsonCursor.column(position);
		Object value = this.cursor.value();
		try {
			return StreamTypeValues.integral((value != null) ? value : "null", min, max);
		}
		catch (IllegalArgumentException ex) {
			String message = (value != null) ? ex.getMessage()
					: "expected an integer " + min + ".." + max + ", got null";
			problems().error(line, column, this.cursor.path(), message);
			return null;
		}
	}

	/**
	 * Reads a string member, reporting anything else.
	 * @param expected what the string is, for the message
	 * @return the string, or {@code null} after reporting a problem
	 */
	@Nullable String string(String expected) {
		if (this.cursor.token() == JsonToken.VALUE_STRING) {
			return this.cursor.text();
		}
		long position = this.cursor.position();
		Object value = this.cursor.value();
		problems().error(JsonCursor.line(position), JsonCursor.column(position), this.cursor.path(),
				"expected " + expected + ", got " + JsonCursor.describe(value));
		return null;
	}

}
