package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code parse(write(policy))} equals {@code policy}, for every fixture and for random policies,
 * and the canonical text is stable.
 */
class PolicyRoundTripTests {

	private final PolicyParser parser = new PolicyParser();

	private final PolicyJsonWriter writer = new PolicyJsonWriter();

	static List<String> fixtures() {
		return PolicyFixtures.names();
	}

	@ParameterizedTest
	@MethodSource("fixtures")
	void fixtureRoundTrips(String name) {
		Policy policy = PolicyFixtures.parse(name);
		String json = this.writer.write(policy, false);
		Policy reparsed = this.parser.parse("written.json", json.getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(reparsed).isEqualTo(policy);
		assertThat(this.writer.write(reparsed, false)).isEqualTo(json);
	}

	@Test
	void randomPoliciesRoundTrip() {
		RandomPolicies random = new RandomPolicies(42);
		for (int i = 0; i < 200; i++) {
			Policy policy = random.policy(1 + i % 7);
			assertThat(PolicyValidator.validate(policy)).as("generated policy %d is valid", i).isEmpty();
			String json = this.writer.write(policy, false);
			ParsedPolicy reparsed = this.parser.parse("random-" + i, json.getBytes(StandardCharsets.UTF_8));
			assertThat(reparsed.policy()).as(json).isEqualTo(policy);
			assertThat(reparsed.warnings()).isEmpty();
		}
	}

	@Test
	void writerUsesCanonicalOrderAndOmitsDefaults() {
		String json = "{\"s\": [{\"b\": {\"tls\": true, \"port\": 443, \"opportunistic\": false, \"endpoint\": \"e\"}},"
				+ "{\"a\": {}}], \"retry\": [{\"r\": {\"backoff\": [1]}}], \"product\": \"p\", \"release\": \"1\"}";
		Policy policy = this.parser.parse("t", json.getBytes(StandardCharsets.UTF_8)).policy();
		String written = this.writer.write(policy, false).replaceAll("\\s+", "");
		assertThat(written).isEqualTo("{\"release\":\"1\",\"product\":\"p\",\"retry\":[{\"r\":{\"backoff\":[1],"
				+ "\"conceal\":0,\"svalidping\":0,\"svalidhup\":0}}],\"s\":[{\"b\":{\"endpoint\":\"e\",\"port\":443,"
				+ "\"tls\":true}},{\"a\":{}}]}");
	}

}
