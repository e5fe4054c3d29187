package io.securestreams.protocol.http;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;

/**
 * Parses an http {@code Retry-After} header: delay seconds or an HTTP date.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RetryAfter {

	/** Longest wait we honour, so a hostile server cannot park a stream for days. */
	static final long MAX_MILLIS = Duration.ofHours(1).toMillis();

	private RetryAfter() {
	}

	/**
	 * Returns the delay a {@code Retry-After} value asks for.
	 * @param value the header value, may be {@code null}
	 * @param nowMillis the current time, for HTTP dates
	 * @return the delay in milliseconds, 0 when absent or unreadable, capped at one hour
	 */
	static long millis(@Nullable String value, long nowMillis) {
		if (value == null || value.isBlank()) {
			return 0;
		}
		String text = value.trim();
		if (isDigits(text)) {
			// Capped before multiplying (a long's worth of seconds overflows in milliseconds);
			// a number of more than 12 digits is beyond the cap whatever its value.
			return (text.length() <= 12) ? Math.min(Long.parseLong(text), MAX_MILLIS / 1000) * 1000 : MAX_MILLIS;
		}
		try {
			long at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
			return Math.min(Math.max(at - nowMillis, 0), MAX_MILLIS);
		}
		catch (DateTimeParseException notDate) {
			return 0;
		}
	}

	private static boolean isDigits(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) < '0' || text.charAt(i) > '9') {
				return false;
			}
		}
		return !text.isEmpty();
	}

}
