package io.securestreams.policy.json;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.policy.StreamTypeValues;
import org.jspecify.annotations.Nullable;

/**
 * A small JSON object of scalar members ({@code auth} and {@code metrics} entries), read whole
 * with the position of every member so that typed getters can report problems in place.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class FlatObject {

	private record Field(@Nullable Object value, int line, int column, String path) {
	}

	private final ReadContext context;

	private final int line;

	private final int column;

	private final String path;

	private final Map<String, Field> fields = new HashMap<>();

	private final int errorsBefore;

	private FlatObject(ReadContext context) {
		this.context = context;
		this.line = context.cursor.line();
		this.column = context.cursor.column();
		this.path = context.cursor.path();
		this.errorsBefore = context.problems().errorCount();
	}

	/**
	 * Reads the current object, reporting unknown keys.
	 * @param context the read context, positioned on the object
	 * @param what the entry kind for messages, for example {@code auth scheme}
	 * @param keys the allowed keys
	 * @return the members read
	 */
	static FlatObject read(ReadContext context, String what, List<String> keys) {
		FlatObject object = new FlatObject(context);
		JsonCursor cursor = context.cursor;
		cursor.fields((key, keyLine, keyColumn) -> {
			if (!keys.contains(key)) {
				context.problems().error(keyLine, keyColumn, cursor.path(),
						KeySuggester.unknownKey(what + " key", key, keys));
				cursor.skipValue();
				return;
			}
			int valueLine = cursor.line();
			int valueColumn = cursor.column();
			object.fields.put(key, new Field(cursor.value(), valueLine, valueColumn, cursor.path()));
		});
		return object;
	}

	/** Returns whether reading this object, or any getter since, reported an error. */
	boolean hasErrors() {
		return this.context.problems().errorCount() != this.errorsBefore;
	}

	int line() {
		return this.line;
	}

	/**
	 * Returns a string member.
	 * @param key the key
	 * @param expected what it is, for messages
	 * @param required whether absence is an error
	 * @return the string, or {@code null} when absent or wrong (then reported)
	 */
	@Nullable String string(String key, String expected, boolean required) {
		Field field = this.fields.get(key);
		if (field == null) {
			if (required) {
				this.context.problems().error(this.line, this.column, this.path,
						"missing \"" + key + "\": expected " + expected);
			}
			return null;
		}
		if (field.value() instanceof String text && !text.isEmpty()) {
			return text;
		}
		error(field, "expected " + expected + ", got " + JsonCursor.describe(field.value()));
		return null;
	}

	/**
	 * Returns an integer member, 0 when absent.
	 * @param key the key
	 * @param max the largest allowed value (the smallest is 0)
	 * @return the value, 0 when absent or wrong (then reported)
	 */
	long integral(String key, long max) {
		Field field = this.fields.get(key);
		if (field == null) {
			return 0;
		}
		try {
			return StreamTypeValues.integral((field.value() != null) ? field.value() : "null", 0, max);
		}
		catch (IllegalArgumentException ex) {
			error(field, "expected an integer 0.." + max + ", got " + JsonCursor.describe(field.value()));
			return 0;
		}
	}

	/**
	 * Records where a member is, for problems the validator finds later.
	 * @param key the key
	 * @param logicalPath the validator's path for it
	 */
	void locate(String key, String logicalPath) {
		Field field = this.fields.get(key);
		if (field != null) {
			this.context.locations.put(logicalPath, field.path(), field.line(), field.column());
		}
	}

	/**
	 * Returns the document path and position of a member, or of the object.
	 * @param key the key
	 * @return line, column and path
	 */
	LocationMap.Located located(String key) {
		Field field = this.fields.get(key);
		return (field != null) ? new LocationMap.Located(field.path(), field.line(), field.column())
				: new LocationMap.Located(this.path, this.line, this.column);
	}

	private void error(Field field, String message) {
		this.context.problems().error(field.line(), field.column(), field.path(), message);
	}

}
