package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A streamtype whose name is another's followed by a dot and a key: the validator's path of the
 * key ({@code s.a.port}) is also the path of the other streamtype, and the problem was located
 * at that streamtype's name instead of at the key.
 */
class StreamTypeNameCollisionTests {

	@Test
	void aKeyProblemIsLocatedAtItsStreamTypeNotAtOneNamedLikeItsPath() {
		String json = """
				{"s": [
				{"a.port": {"endpoint": "x.example", "protocol": "h1"}},
				{"a": {"endpoint": "y.example", "protocol": "h1",
				"port": 0}}]}""";
		assertThat(problems(json)).containsExactly(
				"t.json:4:9: s[1].a.port: expected an integer 1..65535 for a client streamtype, got 0");
	}

	@Test
	void aReferenceProblemIsLocatedAtItsStreamType() {
		String json = """
				{"s": [
				{"a.retry": {"endpoint": "x.example", "protocol": "h1"}},
				{"a": {"endpoint": "y.example", "protocol": "h1",
				"retry": "nope"}}]}""";
		assertThat(problems(json)).containsExactly("t.json:4:10: s[1].a.retry: no retry scheme named 'nope' in retry");
	}

	private static List<String> problems(String json) {
		return assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8)))
			.actual()
			.problems()
			.stream()
			.map(PolicyProblem::format)
			.toList();
	}

}
