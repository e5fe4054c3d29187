package io.securestreams.policy.json;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.StreamTypeValues;
import io.securestreams.policy.json.LocationMap.StreamTypeLocations;
import io.securestreams.policy.json.ReferenceTracker.Section;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code s} section: an array of objects, each holding one or more streamtypes. Keys
 * and their checks come from {@link StreamTypeKey}; a JSON {@code null} resets a key to its
 * default, which overlays use to clear a base value.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamTypeReader {

	/** Longest streamtype name the proxy wire protocol can carry. */
	static final int MAX_PROXY_NAME_LENGTH = 31;

	/** The README's wrong name for {@code http_mime_content_type}, accepted with a warning. */
	static final String MIME_CONTENT_TYPE_ALIAS = "http_multipart_content_type";

	/** Deprecated keys lws ignores; accepted with a warning. */
	static final Set<String> IGNORED_KEYS = Set.of("plugins", "aux");

	private static final List<String> KEY_NAMES = Arrays.stream(StreamTypeKey.values())
		.map(StreamTypeKey::jsonName)
		.toList();

	// ".endpoint", ".port", ... by key ordinal: path suffixes without a concatenation per value.
	private static final String[] PATH_SUFFIXES = KEY_NAMES.stream().map((name) -> "." + name).toArray(String[]::new);

	/** What every key of one streamtype shares while it is read. */
	private static final class Target {

		final StreamTypePolicy.Builder builder;

		final StreamTypeLocations locations;

		// The deprecated "h1get" protocol implies http_method GET unless the keys set one.
		boolean h1get;

		// A reference the reader did not resolve to an earlier definition in this document, or
		// one it does not resolve at all (streamtypes, metadata names, certificate kinds).
		boolean referencesToValidate;

		Target(StreamTypePolicy.Builder builder, StreamTypeLocations locations) {
			this.builder = builder;
			this.locations = locations;
		}

	}

	private StreamTypeReader() {
	}

	static void readAll(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of streamtype objects");
			return;
		}
		// Loops rather than handlers: this is the hot path of large policies (see JsonCursor.beginObject).
		cursor.beginArray();
		while (cursor.nextElement()) {
			if (!cursor.isObject()) {
				cursor.unexpected("an object of named streamtypes");
				continue;
			}
			cursor.beginObject();
			for (String name = cursor.nextMember(); name != null; name = cursor.nextMember()) {
				readStreamType(context, name, cursor.keyLine(), cursor.keyColumn());
			}
		}
	}

	private static void readStreamType(ReadContext context, String name, int line, int column) {
		JsonCursor cursor = context.cursor;
		boolean usable = context.define(Section.STREAMTYPES, name, line, column);
		if (!cursor.isObject()) {
			cursor.unexpected("a streamtype object");
			context.references.invalid(Section.STREAMTYPES, name);
			return;
		}
		if (StreamTypeValues.utf8Length(name) > MAX_PROXY_NAME_LENGTH) {
			context.problems().warning(line, column, cursor.path(), "streamtype name is longer than "
					+ MAX_PROXY_NAME_LENGTH + " bytes of UTF-8, so it cannot be used through the proxy wire protocol");
		}
		// A duplicate is still read, so that its own problems are reported, but then dropped.
		StreamTypePolicy.Builder builder = usable ? context.fragment.streamType(name) : StreamTypePolicy.builder(name);
		// Paths are formatted only for problems: most streamtypes have none.
		PathStack path = cursor.pathSegments();
		StreamTypeLocations locations = usable ? context.locations.streamType(name, path, line, column)
				: new StreamTypeLocations(name, path, line, column);
		Target target = new Target(builder, locations);
		cursor.beginObject();
		for (String key = cursor.nextMember(); key != null; key = cursor.nextMember()) {
			readKey(context, target, key, cursor.keyLine(), cursor.keyColumn());
		}
		if (target.h1get && !builder.isSet(StreamTypeKey.HTTP_METHOD) && !baseHasMethod(context, name)) {
			builder.set(StreamTypeKey.HTTP_METHOD, "GET");
		}
		if (usable && target.referencesToValidate) {
			context.referencesToValidate.add(name);
		}
		if (usable && context.base.streamType(name) == null) {
			// Built now, while its values are still in the CPU caches; merging the fragment later
			// reuses this instance (a policy of thousands of streamtypes no longer fits the caches).
			builder.build();
		}
	}

	private static boolean baseHasMethod(ReadContext context, String name) {
		StreamTypePolicy base = context.base.streamType(name);
		return base != null && base.http().method() != null;
	}

	private static void readKey(ReadContext context, Target target, String jsonName, int line, int column) {
		JsonCursor cursor = context.cursor;
		StreamTypePolicy.Builder builder = target.builder;
		StreamTypeKey key = StreamTypeKey.fromJsonName(jsonName);
		// Names that are not keys are rare; only they are compared with the deprecated ones.
		if (key == null && IGNORED_KEYS.contains(jsonName)) {
			context.problems().warning(line, column, cursor.path(), "'" + jsonName + "' is deprecated and ignored");
			cursor.skipValue();
			return;
		}
		if (key == null && MIME_CONTENT_TYPE_ALIAS.equals(jsonName)) {
			key = StreamTypeKey.HTTP_MIME_CONTENT_TYPE;
			context.problems().warning(line, column, cursor.path(), "'" + jsonName
					+ "' is a deprecated alias (the README's name); use '" + key.jsonName() + "'");
		}
		if (key == null) {
			context.problems().error(line, column, cursor.path(),
					KeySuggester.unknownKey("streamtype key", jsonName, KEY_NAMES));
			cursor.skipValue();
			return;
		}
		if (key == StreamTypeKey.HTTP_MIME_CONTENT_TYPE && aliasRepeats(context, target, jsonName, line, column)) {
			cursor.skipValue();
			return;
		}
		long position = cursor.position();
		int valueLine = JsonCursor.line(position);
		int valueColumn = JsonCursor.column(position);
		target.locations.put(key, valueLine, valueColumn);
		int errorsBefore = context.problems().errorCount();
		if (cursor.isNull()) {
			builder.set(key, null);
			return;
		}
		Object value = switch (key.type()) {
			case METADATA -> StructuredValues.metadata(context);
			case RESPONSE_MAP -> StructuredValues.responseMap(context);
			case OPTIONS -> StructuredValues.options(context);
			case PROTOCOL -> protocol(context, target, valueLine, valueColumn);
			default -> cursor.value();
		};
		if (value == null) {
			if (context.problems().errorCount() != errorsBefore) {
				target.locations.rejectLast();
			}
			return;
		}
		if (key.reference() != null) {
			Section section = referenced(key);
			if (section != null && value instanceof String name && !name.isEmpty()) {
				// A name the key's check accepts: the use is recorded first, so that the policy holds
				// the definition's instance of the name (equal text) and is set once.
				String defined = context.references.use(section, name, valueLine, valueColumn, target.locations,
						PATH_SUFFIXES[key.ordinal()]);
				target.referencesToValidate |= (defined == null) || section == Section.CERTS;
				builder.set(key, (defined != null) ? defined : name);
				return;
			}
			target.referencesToValidate = true;
		}
		try {
			builder.set(key, value);
		}
		catch (IllegalArgumentException ex) {
			context.problems().error(valueLine, valueColumn, cursor.path(), ex.getMessage());
			target.locations.rejectLast();
		}
	}

	// A key and its alias in one object are one key given twice: which value was meant is as
	// unclear as for a repeated key, which is an error too.
	private static boolean aliasRepeats(ReadContext context, Target target, String jsonName, int line, int column) {
		LocationMap.Located first = target.locations.find(StreamTypeKey.HTTP_MIME_CONTENT_TYPE);
		if (first == null) {
			return false;
		}
		context.problems().error(line, column, context.cursor.path(), "duplicate key '" + jsonName + "' in one object: "
				+ MIME_CONTENT_TYPE_ALIAS + " is an alias of http_mime_content_type (first at line " + first.line()
				+ ")");
		return true;
	}

	// References that must be defined earlier in the document (or in an overlay's base).
	private static @Nullable Section referenced(StreamTypeKey key) {
		StreamTypeKey.Reference reference = key.reference();
		if (reference == null) {
			return null;
		}
		return switch (reference) {
			case RETRY -> Section.RETRY;
			case TRUST_STORE -> Section.TRUST_STORES;
			case AUTH -> Section.AUTH;
			case CERTIFICATE, PRIVATE_KEY -> Section.CERTS;
			case STREAMTYPE, METADATA_NAME -> null;
		};
	}

	private static @Nullable Protocol protocol(ReadContext context, Target target, int line, int column) {
		JsonCursor cursor = context.cursor;
		Object value = cursor.value();
		if ("h1get".equals(value)) {
			context.problems().warning(line, column, cursor.path(),
					"\"h1get\" is deprecated; read as \"h1\" with http_method GET");
			target.h1get = true;
			return Protocol.H1;
		}
		Protocol protocol = (value instanceof String name) ? Protocol.fromJsonName(name) : null;
		if (protocol == null) {
			context.problems().error(line, column, cursor.path(),
					"expected one of h1, h2, h3, ws, mqtt, raw, got " + JsonCursor.describe(value));
		}
		return protocol;
	}

}
