package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A document with very many problems lists the first hundred errors and warnings and counts the
 * rest, so that a large hostile file or overlay cannot make the report itself exhaust the heap.
 */
class ProblemListLimitTests {

	private static byte[] streamTypes(int count, String body, String tail) {
		StringBuilder json = new StringBuilder("{\"s\": [\n");
		for (int i = 0; i < count; i++) {
			json.append((i > 0) ? ",\n" : "").append("{\"st").append(i).append("\": ").append(body).append('}');
		}
		return json.append(tail).toString().getBytes(StandardCharsets.UTF_8);
	}

	private static PolicyException refused(byte[] json) {
		return catchThrowableOfType(PolicyException.class, () -> new PolicyParser().parse("many.json", json));
	}

	@Test
	void firstHundredErrorsAreListedAndTheRestCounted() {
		PolicyException ex = refused(streamTypes(1000, "{\"port\": \"x\"}", "]}"));
		assertThat(ex.problems()).hasSize(101);
		assertThat(ex.problems().get(0).format()).startsWith("many.json:2:18: s[0].st0.port: ");
		assertThat(ex.problems().get(99).format()).startsWith("many.json:101:19: s[99].st99.port: ");
		assertThat(ex.problems().get(100).format()).isEqualTo("many.json: 900 more errors not listed");
		assertThat(ex.count()).isEqualTo(1000);
		assertThat(ex.getMessage()).startsWith("invalid policy (1000 errors):\n")
			.endsWith("\nmany.json: 900 more errors not listed");
	}

	@Test
	void invalidJsonAfterTheLimitIsStillListed() {
		PolicyException ex = refused(streamTypes(150, "{\"port\": \"x\"}", "]"));
		assertThat(ex.problems()).hasSize(102);
		assertThat(ex.problems().get(100).format()).startsWith("many.json:151:").contains("invalid JSON: ");
		assertThat(ex.problems().get(101).format()).isEqualTo("many.json: 50 more errors not listed");
	}

	@Test
	void exactlyHundredErrorsAreListedWithoutACount() {
		PolicyException ex = refused(streamTypes(100, "{\"port\": \"x\"}", "]}"));
		assertThat(ex.problems()).hasSize(100).extracting(PolicyProblem::message).noneMatch((m) -> m.contains("more"));
	}

	@Test
	void warningsAreLimitedTheSameWay() {
		ParsedPolicy parsed = new PolicyParser().parse("many.json", streamTypes(130, "{\"plugins\": 1}", "]}"));
		assertThat(parsed.warnings()).hasSize(101);
		assertThat(parsed.warnings().get(100).format()).isEqualTo("many.json: warning: 30 more warnings not listed");
	}

	@Test
	void aFourMebibyteDocumentFullOfErrorsGivesAShortReport() {
		byte[] json = streamTypes(110_000, "{\"port\": \"x\", \"prot\": 1}", "]}");
		PolicyException ex = refused(json);
		assertThat(json.length).isGreaterThan(4_000_000);
		assertThat(ex.problems()).hasSize(101);
		assertThat(ex.problems().get(100).format()).matches("many\\.json: \\d+ more errors not listed");
		assertThat(ex.getMessage().length()).isLessThan(30_000);
	}

}
