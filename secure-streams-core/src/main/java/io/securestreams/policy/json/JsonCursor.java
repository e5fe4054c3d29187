package io.securestreams.policy.json;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.securestreams.policy.StreamTypeValues;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
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

	// Names and array indexes from the root to the current value.
	private final PathStack path = new PathStack();

	// Per open object or array, outermost first: where its path segments start, its next array
	// index, and an object's keys so far (one FirstLines per depth, reused: a policy has
	// thousands of objects).
	private int depth;

	private int[] pathBase = new int[8];

	private int[] nextIndex = new int[8];

	private FirstLines[] firstLines = new FirstLines[8];

	// Per open object, the last member name read: Jackson parses a number or literal right after
	// its name, so a value such as 0443 or True fails before nextMember() has seen the name.
	private @Nullable String[] lastNames = new String[8];

	// What the parser was moving to when it last failed: a member, an element or neither.
	private int reading;

	private static final int READING_VALUE = 0;

	private static final int READING_MEMBER = 1;

	private static final int READING_ELEMENT = 2;

	// Position of the last string value reported for an unpaired surrogate: read twice, it is
	// reported once.
	private long unpairedReportedAt = -1;

	private final boolean surrogatesPossible;

	// Position of the key of the member nextMember() moved to.
	private int keyLine;

	private int keyColumn;

	JsonCursor(JsonParser parser, Problems problems) {
		this(parser, problems, true);
	}

	/**
	 * Creates a cursor.
	 * @param parser the parser
	 * @param problems where problems go
	 * @param surrogatesPossible whether a string value may hold half of a surrogate pair; a
	 * document of well-formed UTF-8 without a {@code \\u} escape cannot, and its strings are not
	 * scanned for one
	 */
	JsonCursor(JsonParser parser, Problems problems, boolean surrogatesPossible) {
		this.parser = parser;
		this.locating = (parser instanceof LocatingJsonFactory.LocatingParser fast) ? fast : null;
		this.problems = problems;
		this.surrogatesPossible = surrogatesPossible;
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
		return this.path.format();
	}

	/**
	 * Returns the document path of the value the parser failed on, for a syntax error: the
	 * member or element it was moving to when that failed on its value, else {@link #path()}.
	 * @return for example {@code s[2].mintest.port} for {@code "port": 0443}
	 */
	String failurePath() {
		int level = this.depth - 1;
		if (level >= 0 && this.reading == READING_MEMBER) {
			// A name Jackson read that this cursor has not: the failure is in its value. The same
			// name as the last one means the failure is in the next name or before it.
			String name = this.parser.streamReadContext().currentName();
			if (name != null && !name.equals(this.lastNames[level])) {
				this.path.pushName(name);
				String failed = this.path.format();
				this.path.pop();
				return failed;
			}
		}
		// Jackson counts an element once past the separator before it: a close marker that does not
		// match fails before that, and is no element's.
		TokenStreamContext context = this.parser.streamReadContext();
		if (level >= 0 && this.reading == READING_ELEMENT && context.hasCurrentIndex()
				&& context.getCurrentIndex() == this.nextIndex[level]) {
			this.path.pushIndex(this.nextIndex[level]);
			String failed = this.path.format();
			this.path.pop();
			return failed;
		}
		return path();
	}

	/**
	 * Returns a copy of the current path, to be formatted only if a problem needs it (cheaper
	 * than formatting for every entry).
	 * @return the copy
	 */
	PathStack pathSegments() {
		return this.path.copy();
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
			case VALUE_STRING -> paired(this.parser.getString());
			case VALUE_NUMBER_INT -> this.parser.getNumberValue();
			case VALUE_NUMBER_FLOAT -> writtenNumber();
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

	// As written, for the message that refuses it; NaN and the infinities (should a parser
	// feature let them in) have no decimal form and stay as parsed.
	private Number writtenNumber() {
		try {
			return new WrittenNumber(this.parser.getString());
		}
		catch (NumberFormatException ex) {
			return this.parser.getNumberValue();
		}
	}

	/**
	 * Returns the text of a string or number value, as {@code release} and {@code product} allow.
	 * @return the text
	 */
	String text() {
		String text = this.parser.getString();
		return (token() == JsonToken.VALUE_STRING) ? paired(text) : text;
	}

	/**
	 * Reports a string value holding half of a surrogate pair ({@code "\\ud800"} alone): it is no
	 * character, UTF-8 cannot carry it (Java writes it as {@code ?}), so the value a stream used
	 * and the policy written back would differ from the one given.
	 * @param text the current string value
	 * @return {@code text}
	 */
	private String paired(String text) {
		String half = this.surrogatesPossible ? unpaired(text) : null;
		if (half != null) {
			long at = position();
			if (at != this.unpairedReportedAt) {
				this.unpairedReportedAt = at;
				this.problems.error(line(at), column(at), path(), half);
			}
		}
		return text;
	}

	private static @Nullable String unpaired(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (!Character.isSurrogate(c)) {
				continue;
			}
			if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
				continue;
			}
			return String.format("\\u%04x is half of a surrogate pair without its other half, which UTF-8 cannot"
					+ " carry", (int) c);
		}
		return null;
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
		beginObject();
		for (String name = nextMember(); name != null; name = nextMember()) {
			handler.field(name, this.keyLine, this.keyColumn);
		}
	}

	/**
	 * Visits the elements of the current array.
	 * @param handler reads each element
	 */
	void elements(ElementHandler handler) {
		beginArray();
		for (int index = 0; nextElement(); index++) {
			handler.element(index);
		}
	}

	/**
	 * Starts reading the members of the current object one by one with {@link #nextMember()}, the
	 * loop form of {@link #fields(FieldHandler)} for hot paths: a handler called from one shared
	 * loop is a call the JIT cannot inline. The loop must run until {@code nextMember()} returns
	 * {@code null}.
	 */
	void beginObject() {
		int level = open();
		FirstLines seen = this.firstLines[level];
		if (seen == null) {
			this.firstLines[level] = new FirstLines();
		}
		else {
			seen.clear();
		}
		this.lastNames[level] = null;
	}

	/**
	 * Moves to the value of the next member of the object begun last, reporting a repeated key
	 * and skipping its value as {@link #fields(FieldHandler)} does.
	 * @return the member name (its key position is {@link #keyLine()} and {@link #keyColumn()}),
	 * or {@code null} after the last member, when the object is finished
	 */
	@Nullable String nextMember() {
		int level = this.depth - 1;
		this.path.truncate(this.pathBase[level]);
		FirstLines seen = this.firstLines[level];
		while (nextName()) {
			String name = this.parser.currentName();
			this.lastNames[level] = name;
			long position = position();
			int line = line(position);
			int column = column(position);
			this.path.pushName(name);
			next();
			int first = seen.putIfAbsent(name, line);
			if (first == 0) {
				this.keyLine = line;
				this.keyColumn = column;
				return name;
			}
			this.problems.error(line, column, path(),
					"duplicate key '" + name + "' in one object (first at line " + first + ")");
			skipValue();
			this.path.pop();
		}
		this.depth--;
		return null;
	}

	private boolean nextName() {
		this.reading = READING_MEMBER;
		JsonToken token = next();
		this.reading = READING_VALUE;
		return token == JsonToken.PROPERTY_NAME;
	}

	int keyLine() {
		return this.keyLine;
	}

	int keyColumn() {
		return this.keyColumn;
	}

	/**
	 * Starts reading the elements of the current array one by one with {@link #nextElement()};
	 * the loop must run until that returns {@code false}.
	 */
	void beginArray() {
		this.nextIndex[open()] = 0;
	}

	/**
	 * Moves to the next element of the array begun last.
	 * @return {@code true} when on an element, {@code false} after the last, when the array is
	 * finished
	 */
	boolean nextElement() {
		int level = this.depth - 1;
		this.path.truncate(this.pathBase[level]);
		this.reading = READING_ELEMENT;
		JsonToken token = next();
		this.reading = READING_VALUE;
		if (token == JsonToken.END_ARRAY || token == null) {
			this.depth--;
			return false;
		}
		this.path.pushIndex(this.nextIndex[level]++);
		return true;
	}

	private int open() {
		int level = this.depth++;
		if (level == this.pathBase.length) {
			this.pathBase = Arrays.copyOf(this.pathBase, level * 2);
			this.nextIndex = Arrays.copyOf(this.nextIndex, level * 2);
			this.firstLines = Arrays.copyOf(this.firstLines, level * 2);
			this.lastNames = Arrays.copyOf(this.lastNames, level * 2);
		}
		this.pathBase[level] = this.path.size();
		return level;
	}

}
