package io.securestreams.policy.json;

import java.util.Base64;
import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyJsonWriterTests {

	private final PolicyJsonWriter writer = new PolicyJsonWriter();

	static List<String> fixtures() {
		return PolicyFixtures.names();
	}

	@ParameterizedTest
	@MethodSource("fixtures")
	void redactedOutputHoldsNoKeyMaterial(String name) {
		Policy policy = PolicyFixtures.parse(name);
		String redacted = this.writer.write(policy, true);
		assertThat(policy.certs()).isNotEmpty();
		for (PolicyCertificate cert : policy.certs().values()) {
			String base64 = Base64.getEncoder().encodeToString(cert.der());
			// Any 24-character window of the encoding would betray it.
			for (int i = 0; i + 24 <= base64.length(); i += 24) {
				assertThat(redacted).doesNotContain(base64.substring(i, i + 24));
			}
			assertThat(redacted).contains("\"" + cert.name() + "\" : \"" + PolicyJsonWriter.REDACTED + "\"");
		}
		assertThat(this.writer.write(policy, false)).contains(Base64.getEncoder().encodeToString(
				policy.certs().values().iterator().next().der()));
	}

	@Test
	void certificateToStringHidesKeys() {
		Policy policy = PolicyFixtures.parse("server__hello_world__example-policy.json");
		PolicyCertificate key = policy.certs().get("self_localhost_key");
		assertThat(key).hasToString("PolicyCertificate[self_localhost_key: PRIVATE_KEY (redacted)]");
		assertThat(policy.certs().get("isrg_root_x1").toString())
			.startsWith("PolicyCertificate[isrg_root_x1: CERTIFICATE CN=ISRG Root X1");
		assertThat(policy.toString()).doesNotContain(Base64.getEncoder().encodeToString(key.der()).substring(0, 24));
	}

}
