package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.securestreams.policy.StreamTypeValues;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;

/**
 * A Jackson streaming parser with the document path of the current value, so that every
 * problem can be reported as {@code FILE:LINE:COL: PATH: MESSAGE}. Paths are only turned into
 * strings when they are needed.
 * <p>
 * Handlers are called with the parser on the first token of a value and must leave it on that
 * value's last token ({@link #skipValue()} does that for values they do not want).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class JsonCursor {

	/** Reads the value of one object member. */
	@FunctionalInterface
	interface FieldHandler {

		void field(String name, int keyLine, int keyColumn);

	}

	/** Reads one array element. */
	@FunctionalInterface
	interface ElementHandler {

		void element(int index);

	}

	private final JsonParser parser;

	// The same parser when it can tell positions without allocating (see LocatingJsonFactory).
	private final LocatingJsonFactory.@Nullable LocatingParser locating;

	private final Problems problems;

	// Names (String) and array indexes (Integer) from the root to the current value.
	private final List<Object> path = new ArrayList<>();

	// One duplicate-key record per object nesting depth, reused: a policy has thousands of objects.
	private FirstLines[] firstLines = new FirstLines[8];

	private int objectDepth;

	JsonCursor(JsonParser parser, Problems problems) {
		this.parser = parser;
		this.locating = (parser instanceof LocatingJsonFactory.LocatingParser fast) ? fast : null;
		this.problems = problems;
	}

	@Nullable JsonToken next() {
		return this.parser.nextToken();
	}

	@Nullable JsonToken token() {
		return this.parser.currentToken();
	}

	int line() {
		LocatingJsonFactory.LocatingParser fast = this.locating;
		return (fast != null) ? fast.tokenLine() : location().getLineNr();
	}

	int column() {
		LocatingJsonFactory.LocatingParser fast = this.locating;
		return (fast != null) ? fast.tokenColumn() : location().getColumnNr();
	}

	/**
	 * Returns the line and column of the current token in one call.
	 * @return the line in the high and the column in the low 32 bits
	 */
	long position() {
		LocatingJsonFactory.LocatingParser fast = this.locating;
		if (fast != null) {
			return ((long) fast.tokenLine() << 32) | (fast.tokenColumn() & 0xFFFF_FFFFL);
		}
		TokenStreamLocation location = location();
		return ((long) location.getLineNr() << 32) | (location.getColumnNr() & 0xFFFF_FFFFL);
	}

	static int line(long position) {
		return (int) (position >>> 32);
	}

	static int column(long position) {
		return (int) position;
	}

	private TokenStreamLocation location() {
		return this.parser.currentTokenLocation();
	}

	/**
	 * Returns the document path of the current value.
	 * @return for example {@code s[2].mintest.retry}
	 */
	String path() {
		return format(this.path);
	}

	/**
	 * Returns the segments of the current path, to be {@link #format(List) formatted} only if a
	 * problem needs them (cheaper than formatting for every entry).
	 * @return an unmodifiable copy of the segments
	 */
	List<Object> pathSegments() {
		return List.copyOf(this.path);
	}

	/**
	 * Formats path segments.
	 * @param segments names (String) and array indexes (Integer)
	 * @return for example {@code s[2].mintest}
	 */
	static String format(List<Object> segments) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < segments.size(); i++) {
			Object segment = segments.get(i);
			if (segment instanceof Integer index) {
				text.append('[').append(index).append(']');
			}
			else {
				if (i > 0) {
					text.append('.');
				}
				text.append(segment);
			}
		}
		return text.toString();
	}

	Problems problems() {
		return this.problems;
	}

	void error(String message) {
		this.problems.error(line(), column(), path(), message);
	}

	/**
	 * Reports that the current value has the wrong shape and skips it.
	 * @param expected what was expected, for example {@code an object}
	 */
	void unexpected(String expected) {
		int line = line();
		int column = column();
		String found = describe(value());
		this.problems.error(line, column, path(), "expected " + expected + ", got " + found);
	}

	/** Skips the current value, including everything inside an object or array. */
	void skipValue() {
		JsonToken token = token();
		if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
			this.parser.skipChildren();
		}
	}

	/**
	 * Reads the current scalar as a Java value; objects and arrays are skipped and returned as
	 * empty placeholders so that type checks can name what was found.
	 * @return a String, Number, Boolean, empty List or Map, or {@code null} for JSON null
	 */
	@Nullable Object value() {
		JsonToken token = token();
		if (token == null) {
			return null;
		}
		return switch (token) {
			case VALUE_STRING -> this.parser.getString();
			case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> this.parser.getNumberValue();
			case VALUE_TRUE -> Boolean.TRUE;
			case VALUE_FALSE -> Boolean.FALSE;
			case START_ARRAY -> {
				this.parser.skipChildren();
				yield List.of();
			}
			case START_OBJECT -> {
				this.parser.skipChildren();
				yield Map.of();
			}
			default -> null;
		};
	}

	/**
	 * Returns the text of a string or number value, as {@code release} and {@code product} allow.
	 * @return the text
	 */
	String text() {
		return this.parser.getString();
	}

	static String describe(@Nullable Object value) {
		return (value != null) ? StreamTypeValues.describe(value) : "null";
	}

	boolean isObject() {
		return token() == JsonToken.START_OBJECT;
	}

	boolean isArray() {
		return token() == JsonToken.START_ARRAY;
	}

	boolean isNull() {
		return token() == JsonToken.VALUE_NULL;
	}

	/**
	 * Visits the members of the current object, reporting duplicate keys (the second value is
	 * skipped) instead of letting the last one win silently.
	 * @param handler reads each member's value
	 */
	void fields(FieldHandler handler) {
		FirstLines firstLines = enterObject();
		try {
			readFields(handler, firstLines);
		}
		finally {
			this.objectDepth--;
		}
	}

	private FirstLines enterObject() {
		int depth = this.objectDepth++;
		if (depth == this.firstLines.length) {
			this.firstLines = Arrays.copyOf(this.firstLines, depth * 2);
		}
		FirstLines firstLines = this.firstLines[depth];
		if (firstLines == null) {
			firstLines = new FirstLines();
			this.firstLines[depth] = firstLines;
		}
		else {
			firstLines.clear();
		}
		return firstLines;
	}

	private void readFields(FieldHandler handler, FirstLines firstLines) {
		while (next() == JsonToken.PROPERTY_NAME) {
			String name = this.parser.currentName();
			long position = position();
			int keyLine = line(position);
			int keyColumn = column(position);
			this.path.add(name);
			next();
			int first = firstLines.putIfAbsent(name, keyLine);
			if (first != 0) {
				this.problems.error(keyLine, keyColumn, path(),
						"duplicate key '" + name + "' in one object (first at line " + first + ")");
				skipValue();
			}
			else {
				handler.field(name, keyLine, keyColumn);
			}
			this.path.remove(this.path.size() - 1);
		}
	}

	/**
	 * Visits the elements of the current array.
	 * @param handler reads each element
	 */
	void elements(ElementHandler handler) {
		int index = 0;
		for (JsonToken token = next(); token != JsonToken.END_ARRAY && token != null; token = next()) {
			this.path.add(index);
			handler.element(index);
			this.path.remove(this.path.size() - 1);
			index++;
		}
	}

}
