package io.securestreams.policy.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
		assertThat(ParsedProblems.of(json)).containsExactly(
				"t.json:4:9: s[1].a.port: expected an integer 1..65535 for a client streamtype, got 0");
	}

	@Test
	void aReferenceProblemIsLocatedAtItsStreamType() {
		String json = """
				{"s": [
				{"a.retry": {"endpoint": "x.example", "protocol": "h1"}},
				{"a": {"endpoint": "y.example", "protocol": "h1",
				"retry": "nope"}}]}""";
		assertThat(ParsedProblems.of(json))
			.containsExactly("t.json:4:10: s[1].a.retry: no retry scheme named 'nope' in retry");
	}

}
