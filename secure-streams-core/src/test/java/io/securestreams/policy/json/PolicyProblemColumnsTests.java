package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The column of a problem is counted in characters, as an editor shows it, also after
 * characters that take several bytes of UTF-8 on the same line (Jackson counts bytes).
 * Documents are written with {@code '} for {@code "}.
 */
class PolicyProblemColumnsTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			unknown key after two- and three-byte characters | {'release': 'ü€', 'bogus': 1} \
			| t.json:1:19: bogus: unknown top-level key 'bogus'
			wrong value in a streamtype with a non-ASCII name | {'s': [{'ünï': {'port': 'x'}}]} \
			| t.json:1:25: s[0].ünï.port: expected an integer 0..65535, got a string "x"
			dangling reference found by the validator | {'s': [{'ü': {'retry': 'nope'}}]} \
			| t.json:1:24: s[0].ü.retry: no retry scheme named 'nope' in retry
			character outside the basic plane | {'product': '😀', 'bogus': 1} \
			| t.json:1:18: bogus: unknown top-level key 'bogus'
			non-ASCII on an earlier line only | {'release': 'ü€',\\n'bogus': 1} \
			| t.json:2:1: bogus: unknown top-level key 'bogus'
			byte order mark | \\uFEFF{'release': 'ü', 'bogus': 1} \
			| t.json:1:18: bogus: unknown top-level key 'bogus'
			""")
	void columnCountsCharacters(String kind, String document, String expected) {
		assertThat(firstProblem(document)).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			syntax error after non-ASCII text | {'release': '€€', 's': [} | t.json:1:25:
			syntax error after a carriage return line break | {'release': '€',\\r\\n's': [} | t.json:2:7:
			""")
	void syntaxErrorColumnCountsCharacters(String kind, String document, String expected) {
		assertThat(firstProblem(document)).startsWith(expected + " ");
	}

	@Test
	void everyProblemOfALongLineIsLocatedInOneWalk() {
		// One line of 100,000 repeated keys after a non-ASCII character: each problem is located
		// without counting the line again from its start (that was minutes, not milliseconds).
		int repeats = 100_000;
		StringBuilder json = new StringBuilder("{\"product\": \"é\", \"s\": [{\"st\": {\"port\": 1");
		for (int i = 0; i < repeats; i++) {
			json.append(", \"port\": 1");
		}
		String document = json.append("}}]}").toString();
		List<PolicyProblem> problems = assertTimeoutPreemptively(Duration.ofSeconds(30),
				() -> assertThatExceptionOfType(PolicyException.class)
					.isThrownBy(() -> new PolicyParser().parse("t.json", document.getBytes(StandardCharsets.UTF_8)))
					.actual()
					.problems());
		// The first hundred are listed, the rest counted.
		assertThat(problems).hasSize(101);
		int hundredth = document.indexOf("\"port\"") + 1 + 11 * 100;
		assertThat(problems.get(99).column()).isEqualTo(hundredth);
		assertThat(problems.get(100).message()).isEqualTo((repeats - 100) + " more errors not listed");
	}

	private static String firstProblem(String document) {
		String json = document.replace('\'', '"')
			.replace("\\n", "\n")
			.replace("\\r", "\r")
			.replace("\\uFEFF", "\uFEFF");
		return ParsedProblems.of(json).get(0);
	}

}
