package io.securestreams.policy.json;

import java.util.List;

import io.securestreams.policy.StreamTypeKey;
import tools.jackson.core.JsonToken;

/**
 * Reads the top-level object of a policy and hands each section to its reader.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class TopLevelReader {

	/** Every top-level key, in canonical order. */
	static final List<String> KEYS = List.of("release", "product", "schema-version", "via-socks5", "retry", "certs",
			"trust_stores", "auth", "metrics", "s");

	private TopLevelReader() {
	}

	static void read(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (cursor.next() == null) {
			context.problems().error(1, 1, "", "empty document; expected a policy object");
			return;
		}
		if (!cursor.isObject()) {
			cursor.unexpected("a policy object");
			return;
		}
		cursor.fields((name, line, column) -> member(context, name, line, column));
		if (cursor.next() != null) {
			cursor.error("unexpected content after the policy object");
		}
	}

	private static void member(ReadContext context, String name, int line, int column) {
		JsonCursor cursor = context.cursor;
		switch (name) {
			case "release" -> {
				if (isTextOrNumber(context)) {
					context.fragment.release(cursor.isNull() ? null : cursor.text());
				}
			}
			case "product" -> {
				if (isTextOrNumber(context)) {
					context.fragment.product(cursor.isNull() ? null : cursor.text());
				}
			}
			case "schema-version" -> schemaVersion(context);
			case "via-socks5" -> viaSocks5(context);
			case "retry" -> RetryReader.read(context);
			case "certs" -> CertsReader.read(context);
			case "trust_stores" -> TrustStoreReader.read(context);
			case "auth" -> AuthReader.readAuth(context);
			case "metrics" -> AuthReader.readMetrics(context);
			case "s" -> StreamTypeReader.readAll(context);
			default -> {
				context.problems().error(line, column, cursor.path(),
						KeySuggester.unknownKey("top-level key", name, KEYS));
				cursor.skipValue();
			}
		}
	}

	private static boolean isTextOrNumber(ReadContext context) {
		JsonCursor cursor = context.cursor;
		JsonToken token = cursor.token();
		boolean ok = token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT
				|| token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NULL;
		if (!ok) {
			cursor.unexpected("a string or a number");
		}
		return ok;
	}

	private static void schemaVersion(ReadContext context) {
		if (context.cursor.isNull()) {
			context.fragment.schemaVersion(null);
			return;
		}
		Long version = context.integral(0, Integer.MAX_VALUE);
		if (version != null) {
			context.fragment.schemaVersion(version.intValue());
		}
	}

	private static void viaSocks5(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (cursor.isNull()) {
			context.fragment.viaSocks5(null);
			return;
		}
		int line = cursor.line();
		int column = cursor.column();
		Object value = cursor.value();
		try {
			context.fragment.viaSocks5((String) StreamTypeKey.VIA_SOCKS5.check((value != null) ? value : "null"));
		}
		catch (IllegalArgumentException ex) {
			context.problems().error(line, column, cursor.path(), ex.getMessage());
		}
	}

}
