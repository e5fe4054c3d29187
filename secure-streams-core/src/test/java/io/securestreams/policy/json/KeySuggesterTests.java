package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The "did you mean" hint of an unknown key: the nearest known key within about one edit per
 * three characters, found without comparing keys that are out of reach by their length alone.
 */
class KeySuggesterTests {

	private static final List<String> KEYS = TopLevelReader.KEYS;

	@Test
	void nearKeysAreSuggested() {
		assertThat(KeySuggester.nearest("retyr", KEYS)).isEqualTo("retry");
		assertThat(KeySuggester.nearest("RETRY", KEYS)).isEqualTo("retry");
		assertThat(KeySuggester.nearest("trust_store", KEYS)).isEqualTo("trust_stores");
		assertThat(KeySuggester.nearest("trust_stores_extra", KEYS)).isEqualTo("trust_stores");
		assertThat(KeySuggester.nearest("schema-version-number", KEYS)).isEqualTo("schema-version");
	}

	@Test
	void shortOrFarKeysGetNoSuggestion() {
		assertThat(KeySuggester.nearest("ss", KEYS)).isNull();
		assertThat(KeySuggester.nearest("retry_and_more_words", KEYS)).isNull();
		assertThat(KeySuggester.nearest("x".repeat(1000), KEYS)).isNull();
	}

	@Test
	void longUnknownKeysAreReportedWithoutComparingThemWithEveryKey() {
		// Jackson reads names of up to 50,000 characters. Each was compared with every known key
		// at a cost of its length times theirs: about a third of a second per key, so a 4 MiB
		// overlay of 80 such keys held the policy lock for half a minute, and this document took
		// minutes. A key that much longer than every known key is out of reach by length alone.
		int count = 300;
		StringBuilder json = new StringBuilder("{\"s\": [{\"st\": {\"endpoint\": \"e\", \"port\": 1");
		for (int i = 0; i < count; i++) {
			String number = Integer.toString(i);
			json.append(", \"").append(number).append("x".repeat(50_000 - number.length())).append("\": 1");
		}
		byte[] document = json.append("}}]}").toString().getBytes(StandardCharsets.UTF_8);

		List<PolicyProblem> problems = assertTimeoutPreemptively(Duration.ofSeconds(30),
				() -> assertThatExceptionOfType(PolicyException.class)
					.isThrownBy(() -> new PolicyParser().parse("t.json", document))
					.actual()
					.problems());

		assertThat(problems).hasSize(count)
			.allSatisfy((problem) -> assertThat(problem.message()).matches("unknown streamtype key '[0-9]+x+\\.\\.\\.'")
				.hasSizeLessThan(100));
	}

}
