package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntBiFunction;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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
	void keysOutOfReachByLengthAreNotCompared() {
		// Jackson reads names of up to 50,000 characters. Each was compared with every known key
		// at a cost of its length times theirs: about a third of a second per key, so a 4 MiB
		// overlay of 80 such keys held the policy lock for half a minute.
		AtomicInteger comparisons = new AtomicInteger();
		ToIntBiFunction<String, String> counting = (a, b) -> {
			comparisons.incrementAndGet();
			return KeySuggester.distance(a, b);
		};
		assertThat(KeySuggester.nearest("x".repeat(50_000), KEYS, counting)).isNull();
		assertThat(comparisons).hasValue(0);
		// Keys within reach are still compared, and the nearest found.
		assertThat(KeySuggester.nearest("trust_stores_extra", KEYS, counting)).isEqualTo("trust_stores");
		assertThat(comparisons.get()).isPositive();
	}

	@Test
	void longUnknownKeysAreReportedShortened() {
		int count = 20;
		StringBuilder json = new StringBuilder("{\"s\": [{\"st\": {\"endpoint\": \"e\", \"port\": 1");
		for (int i = 0; i < count; i++) {
			String number = Integer.toString(i);
			json.append(", \"").append(number).append("x".repeat(50_000 - number.length())).append("\": 1");
		}
		byte[] document = json.append("}}]}").toString().getBytes(StandardCharsets.UTF_8);

		List<PolicyProblem> problems = assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", document))
			.actual()
			.problems();

		assertThat(problems).hasSize(count)
			.allSatisfy((problem) -> assertThat(problem.message()).matches("unknown streamtype key '[0-9]+x+\\.\\.\\.'")
				.hasSizeLessThan(100));
	}

}
