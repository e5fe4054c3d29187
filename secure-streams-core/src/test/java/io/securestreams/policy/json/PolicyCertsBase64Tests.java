package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A {@code certs} value is "the part of PEM that is inside the start and end lines" (the lws
 * README), and libwebsockets' decoder skips the line feeds of that part and takes the URL-safe
 * alphabet too: such a policy loads there and must load here.
 */
class PolicyCertsBase64Tests {

	private static final Policy SERVER = PolicyFixtures.parse("server__hello_world__example-policy.json");

	private static final byte[] CERT = SERVER.certs().get("self_localhost").der();

	private static final byte[] KEY = SERVER.certs().get("self_localhost_key").der();

	@Test
	void pemBodyWithItsLineFeedsDecodes() {
		String json = "{\"certs\": [{\"c\": \"" + pemBody(CERT) + "\", \"k\": \"" + pemBody(KEY) + "\"}]}";
		Policy policy = parse(json);
		assertThat(policy.certs().get("c").der()).isEqualTo(CERT);
		assertThat(policy.certs().get("k").der()).isEqualTo(KEY);
	}

	@Test
	void urlSafeAlphabetDecodes() {
		String json = "{\"certs\": [{\"c\": \"" + Base64.getUrlEncoder().encodeToString(CERT) + "\"}]}";
		assertThat(parse(json).certs().get("c").der()).isEqualTo(CERT);
	}

	@Test
	void otherCharactersAreStillNotBase64() {
		String body = Base64.getEncoder().encodeToString(CERT);
		for (String bad : new String[] { "\\r\\n", " ", "\\t", "*" }) {
			String json = "{\"certs\": [{\"c\": \"" + body.substring(0, 64) + bad + body.substring(64) + "\"}]}";
			assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> parse(json))
				.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
					.containsExactly("t.json:1:18: certs[0].c: expected base64 DER (the text between the PEM BEGIN "
							+ "and END lines), got a string that is not valid base64"));
		}
	}

	// As a PEM file holds it: 64 characters a line, each line ended by a line feed (JSON "\n").
	private static String pemBody(byte[] der) {
		String text = Base64.getEncoder().encodeToString(der);
		StringBuilder body = new StringBuilder();
		for (int start = 0; start < text.length(); start += 64) {
			body.append(text, start, Math.min(text.length(), start + 64)).append("\\n");
		}
		return body.toString();
	}

	private static Policy parse(String json) {
		return new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8)).policy();
	}

}
