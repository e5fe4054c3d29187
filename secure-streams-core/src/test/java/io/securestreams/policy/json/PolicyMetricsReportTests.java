package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A metrics entry's {@code report} names the streamtype its reports are sent on, as an auth
 * scheme's {@code streamtype} names the one that refreshes its token: a name no streamtype has is
 * an error where it is written, as for every other reference, not kept in silence.
 */
class PolicyMetricsReportTests {

	@Test
	void reportNamingNoStreamtypeIsRefusedThere() {
		assertThat(ParsedProblems.of("{\"metrics\": [{\"name\": \"m\", \"report\": \"nope\"}]}"))
			.containsExactly("t.json:1:38: metrics[0].report: no streamtype named 'nope' in s");
	}

	@Test
	void reportNamingAStreamtypeDefinedLaterIsAccepted() {
		byte[] json = "{\"metrics\": [{\"name\": \"m\", \"report\": \"st\"}], \"s\": [{\"st\": {\"endpoint\": \"e\"}}]}"
			.getBytes(StandardCharsets.UTF_8);
		assertThat(new PolicyParser().parse("t.json", json).policy().metrics()).singleElement()
			.satisfies((metrics) -> assertThat(metrics.report()).isEqualTo("st"));
	}

}
