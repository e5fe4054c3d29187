package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A streamtype the reader refused is reported once, at its definition: the {@code rideshare} and
 * the auth scheme's {@code streamtype} that name it are not reported again as naming nothing,
 * while a name that no entry defines still is.
 */
class RejectedStreamTypeUseTests {

	private static final String USES = "{'a': {'endpoint': 'e', 'port': 1, 'protocol': 'h1', 'rideshare': 'b'}}]," +
			"\n'auth': [{'name': 'au', 'type': 'sigv4', 'streamtype': 'b'}]}";

	@Test
	void usesOfARefusedStreamtypeAreNotReportedAgain() {
		assertThat(ParsedProblems.of(("{'s': [{'b': 5},\n" + USES).replace('\'', '"')))
			.containsExactly("t.json:1:14: s[0].b: expected a streamtype object, got 5");
	}

	@Test
	void usesOfAStreamtypeNoEntryDefinesAreStillReported() {
		assertThat(ParsedProblems.of(("{'s': [{'c': 5},\n" + USES).replace('\'', '"'))).containsExactly(
				"t.json:1:14: s[0].c: expected a streamtype object, got 5",
				"t.json:2:67: s[1].a.rideshare: no streamtype named 'b' in s",
				"t.json:3:56: auth[0].streamtype: no streamtype named 'b' in s");
	}

	@Test
	void anOverlayRefusingItsOwnEntryKeepsTheBaseOneAndIsReportedOnce() {
		Policy base = new PolicyParser().parse("base.json",
				"{\"s\": [{\"b\": {\"endpoint\": \"e\", \"port\": 1, \"protocol\": \"h1\"}}]}"
					.getBytes(StandardCharsets.UTF_8)).policy();
		byte[] overlay = ("{'s': [{'b': 5},\n" + USES).replace('\'', '"').getBytes(StandardCharsets.UTF_8);
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parseOverlay("o.json", overlay, base))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("o.json:1:14: s[0].b: expected a streamtype object, got 5"));
	}

}
