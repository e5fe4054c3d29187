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
		try {
			long seconds = Long.parseLong(text);
			return Math.min(Math.max(seconds, 0) * 1000, MAX_MILLIS);
		}
		catch (NumberFormatException notSeconds) {
			try {
				long at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
				return Math.min(Math.max(at - nowMillis, 0), MAX_MILLIS);
			}
			catch (DateTimeParseException notDate) {
				return 0;
			}
		}
	}

}
