package io.securestreams.protocol.http;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

	private static final long NOW = 1_700_000_000_000L;

	@Test
	void secondsAreMillisecondsCappedAtAnHour() {
		assertThat(RetryAfter.millis("0", NOW)).isZero();
		assertThat(RetryAfter.millis(" 7 ", NOW)).isEqualTo(7_000);
		assertThat(RetryAfter.millis("3600", NOW)).isEqualTo(RetryAfter.MAX_MILLIS);
		assertThat(RetryAfter.millis("86400", NOW)).isEqualTo(RetryAfter.MAX_MILLIS);
	}

	@Test
	void hugeNumbersAreCappedInsteadOfOverflowing() {
		// 10^16 seconds overflowed a long when multiplied by 1000.
		assertThat(RetryAfter.millis("10000000000000000", NOW)).isEqualTo(RetryAfter.MAX_MILLIS);
		assertThat(RetryAfter.millis("99999999999999999999999", NOW)).isEqualTo(RetryAfter.MAX_MILLIS);
	}

	@Test
	void anHttpDateIsTheTimeUntilThen() {
		String in90s = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(NOW + 90_000), ZoneOffset.UTC));
		assertThat(RetryAfter.millis(in90s, NOW)).isEqualTo(90_000);
		String past = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(NOW - 90_000), ZoneOffset.UTC));
		assertThat(RetryAfter.millis(past, NOW)).isZero();
	}

	@Test
	void absentNegativeOrUnreadableIsNoDelay() {
		assertThat(RetryAfter.millis(null, NOW)).isZero();
		assertThat(RetryAfter.millis(" ", NOW)).isZero();
		assertThat(RetryAfter.millis("-5", NOW)).isZero();
		assertThat(RetryAfter.millis("soon", NOW)).isZero();
	}

}
