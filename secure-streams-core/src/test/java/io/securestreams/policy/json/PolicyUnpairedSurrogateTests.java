package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.Policy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code \ud800} escape without its other half is no character: UTF-8, which the policy, the
 * proxy wire protocol and every header and topic carry, cannot encode it, and Java writes it as
 * {@code ?}. Such a value was accepted, so a stream used {@code ?} where the policy said
 * something else, and the written policy read back as a different one.
 */
class PolicyUnpairedSurrogateTests {

	@Test
	void loneHighSurrogateInAValueIsRefusedThere() {
		assertThat(ParsedProblems.of("{\"s\": [{\"st\": {\"mqtt_topic\": \"a\\ud800b\"}}]}"))
			.containsExactly("t.json:1:30: s[0].st.mqtt_topic: \\ud800 is half of a surrogate pair without its other"
					+ " half, which UTF-8 cannot carry");
	}

	@Test
	void loneSurrogateInReleaseIsRefused() {
		assertThat(ParsedProblems.of("{\"release\": \"\\udbff\"}"))
			.containsExactly("t.json:1:13: release: \\udbff is half of a surrogate pair without its other half,"
					+ " which UTF-8 cannot carry");
	}

	@Test
	void escapedPairIsOneCharacterAndRoundTrips() {
		byte[] json = "{\"s\": [{\"st\": {\"mqtt_topic\": \"a\\ud83d\\ude00b\"}}]}".getBytes(StandardCharsets.UTF_8);
		Policy policy = new PolicyParser().parse("t.json", json).policy();
		assertThat(policy.streamType("st").mqtt().topic()).isEqualTo("a\ud83d\ude00b");
		String written = new PolicyJsonWriter().write(policy, false);
		assertThat(new PolicyParser().parse("w.json", written.getBytes(StandardCharsets.UTF_8)).policy())
			.isEqualTo(policy);
	}

}
