package io.securestreams.policy.json;

import java.util.ArrayList;
import java.util.List;

import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.json.ReferenceTracker.Section;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code retry} section: {@code [{"name": {"backoff": [...], "conceal": 5, ...}}]}.
 * The backoff table may have any length (lws HEAD keeps only its first entry; that is a bug).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RetryReader {

	/** Every key of a retry scheme. */
	static final List<String> KEYS = List.of("backoff", "conceal", "jitterpc", "svalidping", "svalidhup");

	private RetryReader() {
	}

	static void read(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of retry schemes");
			return;
		}
		cursor.elements((index) -> {
			if (!cursor.isObject()) {
				cursor.unexpected("an object of named retry schemes");
				return;
			}
			cursor.fields((name, line, column) -> scheme(context, name, line, column));
		});
	}

	private static void scheme(ReadContext context, String name, int line, int column) {
		JsonCursor cursor = context.cursor;
		boolean usable = context.define(Section.RETRY, name, line, column, cursor.path());
		int errorsBefore = context.problems().errorCount();
		if (!cursor.isObject()) {
			cursor.unexpected("a retry scheme object with " + String.join(", ", KEYS));
		}
		else {
			Scheme scheme = new Scheme();
			cursor.fields((key, keyLine, keyColumn) -> member(context, scheme, key, keyLine, keyColumn));
			if (context.problems().errorCount() == errorsBefore && usable) {
				context.fragment.retry(new RetryPolicy(name, scheme.backoff, scheme.conceal, scheme.jitter,
						scheme.validPing, scheme.validHangup));
			}
		}
		if (usable && context.problems().errorCount() != errorsBefore) {
			context.references.invalid(Section.RETRY, name);
		}
	}

	private static void member(ReadContext context, Scheme scheme, String key, int line, int column) {
		JsonCursor cursor = context.cursor;
		switch (key) {
			case "backoff" -> {
				if (!cursor.isArray()) {
					cursor.unexpected("an array of delays in milliseconds");
					return;
				}
				cursor.elements((index) -> {
					Long delay = context.integral(0, Integer.MAX_VALUE);
					if (delay != null) {
						scheme.backoff.add(delay.intValue());
					}
				});
			}
			case "conceal" -> scheme.conceal = orElse(context.integral(0, RetryPolicy.CONCEAL_FOREVER), 0);
			case "jitterpc" -> {
				Long jitter = context.integral(0, 100);
				scheme.jitter = (jitter != null) ? jitter.intValue() : null;
			}
			case "svalidping" -> scheme.validPing = orElse(context.integral(0, 65535), 0);
			case "svalidhup" -> scheme.validHangup = orElse(context.integral(0, 65535), 0);
			default -> {
				context.problems().error(line, column, cursor.path(), KeySuggester.unknownKey("retry key", key, KEYS));
				cursor.skipValue();
			}
		}
	}

	private static int orElse(@Nullable Long value, int fallback) {
		return (value != null) ? value.intValue() : fallback;
	}

	/** The values of one scheme while it is read. */
	private static final class Scheme {

		final List<Integer> backoff = new ArrayList<>();

		int conceal;

		@Nullable Integer jitter;

		int validPing;

		int validHangup;

	}

}
