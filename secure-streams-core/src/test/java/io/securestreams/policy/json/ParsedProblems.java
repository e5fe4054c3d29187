package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The problems a policy document named {@code t.json} is refused with, each formatted as
 * {@code FILE:LINE:COL: PATH: MESSAGE}.
 */
final class ParsedProblems {

	private ParsedProblems() {
	}

	static List<String> of(String json) {
		return assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8)))
			.actual()
			.problems()
			.stream()
			.map(PolicyProblem::format)
			.toList();
	}

}
