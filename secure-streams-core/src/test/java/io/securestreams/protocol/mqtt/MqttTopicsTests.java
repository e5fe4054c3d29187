package io.securestreams.protocol.mqtt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Topic filter matching and syntax, with the examples of MQTT 3.1.1 section 4.7.
 */
class MqttTopicsTests {

	@ParameterizedTest(name = "{0} matches {1}: {2}")
	@CsvSource({
			"sport/tennis/player1/#, sport/tennis/player1, true",
			"sport/tennis/player1/#, sport/tennis/player1/ranking, true",
			"sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
			"sport/#, sport, true",
			"#, sport/tennis, true",
			"sport/tennis/#, sport/tennis, true",
			"sport/tennis/#, sport/tennisplayer, false",
			"sport/tennis/+, sport/tennis/player1, true",
			"sport/tennis/+, sport/tennis/player1/ranking, false",
			"sport/+, sport, false",
			"sport/+, sport/, true",
			"+/+, /finance, true",
			"/+, /finance, true",
			"+, /finance, false",
			"+/tennis/#, sport/tennis/player1, true",
			"a/b, a/b, true",
			"a/b, a/bc, false",
			"a/bc, a/b, false",
			"a/b, a/b/c, false",
			"a/b/c, a/b, false",
			"a/b/#, a, false",
			"#, $SYS/broker, false",
			"+/broker, $SYS/broker, false",
			"$SYS/#, $SYS/broker, true",
			"$SYS/+, $SYS/broker, true" })
	void matchesAsTheSpecificationSays(String filter, String topic, boolean expected) {
		assertThat(MqttTopics.matches(filter, topic)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "#", "+", "a/+/b", "a/#", "+/+", "/", "a//b", "sport/tennis/player1" })
	void acceptsValidFilters(String filter) {
		assertThatNoException().isThrownBy(() -> MqttTopics.checkFilter(filter));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "a#", "a/#/b", "a/b#", "a+", "a/+b", "+a/b", "##", "a/\0" })
	void rejectsInvalidFilters(String filter) {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkFilter(filter));
	}

	@Test
	void topicNamesHaveNoWildcards() {
		assertThatNoException().isThrownBy(() -> MqttTopics.checkTopicName("a/b/c"));
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkTopicName("a/+/c"))
			.withMessageContaining("wildcards");
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkTopicName("a/#"));
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkTopicName(""));
	}

	@Test
	void streamFiltersStartWithDollarOnlyWithAwsIot() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkStreamFilter("$SYS/#", false))
			.withMessageContaining("need aws_iot");
		assertThatNoException().isThrownBy(() -> MqttTopics.checkStreamFilter("$aws/things/dev1/shadow/get/+", true));
		assertThatNoException().isThrownBy(() -> MqttTopics.checkStreamTopic("$aws/things/dev1/shadow/get", false));
	}

	@Test
	void awsIotAllowsTopicsOfAtMost256Bytes() {
		String longest = "t/" + "x".repeat(254);
		String tooLong = longest + "x";
		assertThatNoException().isThrownBy(() -> MqttTopics.checkStreamTopic(longest, true));
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkStreamTopic(tooLong, true))
			.withMessageContaining("257 bytes");
		assertThatIllegalArgumentException().isThrownBy(() -> MqttTopics.checkStreamFilter(tooLong, true))
			.withMessageContaining("at most 256");
		assertThatNoException().isThrownBy(() -> MqttTopics.checkStreamTopic(tooLong, false));
		assertThatNoException().isThrownBy(() -> MqttTopics.checkStreamFilter(tooLong, false));
		// Bytes, not characters: 128 two-byte characters are 256 bytes.
		assertThatNoException().isThrownBy(() -> MqttTopics.checkStreamTopic("\u00e9".repeat(128), true));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> MqttTopics.checkStreamTopic("\u00e9".repeat(128) + "x", true));
	}

	@ParameterizedTest(name = "{0} with aws_iot: {1}")
	@CsvSource({
			"a/b/c/d/e/f/g/h, true",
			"a/b/c/d/e/f/g/h/i, false",
			"a/b/c/d/e/f/+/#, true",
			"a/b/c/d/e/f/g/+/#, false",
			"$aws/things/dev1/shadow/name/n/update/accepted, true",
			"$aws/things/dev1/a/b/c/d/e/f/g/h, true",
			"$aws/things/dev1/a/b/c/d/e/f/g/h/i, false" })
	void awsIotAllowsAtMostSevenSlashesAfterAReservedPrefix(String topic, boolean allowed) {
		boolean filter = topic.contains("+") || topic.contains("#");
		if (allowed) {
			assertThatNoException().isThrownBy(() -> check(topic, filter, true));
		}
		else {
			assertThatIllegalArgumentException().isThrownBy(() -> check(topic, filter, true))
				.withMessageContaining("at most 7");
		}
		assertThatNoException().isThrownBy(() -> check(topic, filter, false));
	}

	private static void check(String topic, boolean filter, boolean awsIot) {
		if (filter) {
			MqttTopics.checkStreamFilter(topic, awsIot);
		}
		else {
			MqttTopics.checkStreamTopic(topic, awsIot);
		}
	}

}
