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

}
