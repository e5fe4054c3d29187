package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The proxy wire protocol gives a metadata name at most 30 bytes and a streamtype name at most
 * 31 (reference 6.4): the policy's limits count the same bytes of UTF-8, not characters, or a
 * name it accepts is refused the moment a proxied stream uses it.
 */
class PolicyNameBytesTests {

	@Test
	void metadataNameOfThirtyOneBytesInFewerCharactersIsRefused() {
		String name = "é".repeat(15) + "x";
		String json = "{\"s\": [{\"st\": {\"metadata\": [{\"" + name + "\": \"\"}]}}]}";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("t.json:1:30: s[0].st.metadata[0]." + name + ": metadata name '" + name
						+ "' must be 1..30 bytes of UTF-8 without '$', '{', '}' or spaces"));
	}

	@Test
	void metadataNameOfThirtyBytesIsAccepted() {
		String name = "é".repeat(15);
		String json = "{\"s\": [{\"st\": {\"metadata\": [{\"" + name + "\": \"\"}]}}]}";
		ParsedPolicy parsed = new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8));
		assertThat(parsed.policy().streamType("st").metadata(name)).isNotNull();
	}

	@Test
	void streamtypeNameOfThirtyTwoBytesInFewerCharactersIsWarnedAbout() {
		String name = "é".repeat(16);
		String json = "{\"s\": [{\"" + name + "\": {}, \"" + "é".repeat(15) + "a\": {}}]}";
		ParsedPolicy parsed = new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8));
		assertThat(parsed.warnings()).extracting(PolicyProblem::format).containsExactly("t.json:1:9: s[0]." + name
				+ ": warning: streamtype name is longer than 31 bytes of UTF-8, so it cannot be used through the "
				+ "proxy wire protocol");
	}

}
