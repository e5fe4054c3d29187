package io.securestreams.policy.overlay;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The content hash tells callers which policy is active: equal policies have equal hashes,
 * whatever order the document listed its named entries in.
 */
class ActivePolicyHashTests {

	private static Policy parse(String json) {
		return new PolicyParser().parse("p.json", json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)).policy();
	}

	@Test
	void equalPoliciesListedInAnotherOrderHaveEqualHashes() {
		Policy one = parse("{'retry': [{'r1': {'backoff': [1]}}, {'r2': {'backoff': [2]}}],"
				+ "'auth': [{'name': 'a1', 'type': 'sigv4'}, {'name': 'a2', 'type': 'sigv4'}],"
				+ "'s': [{'a': {'endpoint': 'a', 'retry': 'r1'}}, {'b': {'endpoint': 'b', 'retry': 'r2'}}]}");
		Policy other = parse("{'retry': [{'r2': {'backoff': [2]}}, {'r1': {'backoff': [1]}}],"
				+ "'auth': [{'name': 'a2', 'type': 'sigv4'}, {'name': 'a1', 'type': 'sigv4'}],"
				+ "'s': [{'b': {'endpoint': 'b', 'retry': 'r2'}}, {'a': {'endpoint': 'a', 'retry': 'r1'}}]}");
		assertThat(one).isEqualTo(other);
		assertThat(ActivePolicy.hash(one)).isEqualTo(ActivePolicy.hash(other));
	}

	@Test
	void differentPoliciesHaveDifferentHashes() {
		assertThat(ActivePolicy.hash(parse("{'s': [{'a': {'endpoint': 'a'}}]}")))
			.isNotEqualTo(ActivePolicy.hash(parse("{'s': [{'a': {'endpoint': 'b'}}]}")));
	}

}
