package io.securestreams.policy.overlay;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.testsupport.TestPki;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An overlay that replaces an entry of the base but is rejected: the base's entry stays, and a
 * problem the validator then finds in it is the base's, not one of the rejected entry's values,
 * which may name something else (the problem named the base's certs entry at the overlay's).
 */
class RejectedOverlayEntryProblemsTests {

	private static final String CERT = TestPki.derBase64(TestPki.server().getCertificate());

	private static final String KEY = TestPki.keyBase64(TestPki.server());

	private static final Policy BASE = new PolicyParser().parse("b.json", ("{\"certs\": [{\"srv\": \"" + CERT
			+ "\"}],\n\"trust_stores\": [{\"name\": \"ts\", \"stack\": [\"srv\"]}],\n"
			+ "\"s\": [{\"x\": {\"endpoint\": \"e.example\", \"protocol\": \"h1\", \"tls\": true,"
			+ " \"tls_trust_store\": \"ts\", \"metadata\": [{\"region\": \"\"}], \"aws_region\": \"region\"}}]}")
		.getBytes(StandardCharsets.UTF_8)).policy();

	@Test
	void aBaseStackEntryIsNotLocatedAtARejectedStoresEntry() {
		// srv becomes a key; the overlay's own ts, which would no longer use it, is rejected.
		String overlay = "{\"certs\": [{\"srv\": \"" + KEY + "\", \"d\": \"" + CERT + "\"}],\n"
				+ "\"trust_stores\": [{\"name\": \"ts\", \"stack\": [\"d\", 7]}]}";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyOverlays(BASE).applyOverlay("o.json", overlay))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("o.json:2:48: trust_stores[0].stack[1]: expected the name of a certs entry, got 7",
						"<base policy>: trust_stores.ts.stack[0]: certs entry 'srv' is a private key, but a "
								+ "certificate is needed here"));
	}

	@Test
	void aBaseKeyIsNotLocatedAtARejectedValueOfTheKey() {
		// The overlay's aws_region is rejected, so the base's stays, naming metadata now removed.
		String overlay = "{\"s\": [{\"x\": {\"metadata\": [{\"zone\": \"\"}], \"aws_region\": 5}}]}";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyOverlays(BASE).applyOverlay("o.json", overlay))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.containsExactly("o.json:1:57: s[0].x.aws_region: expected the name of a metadata name, got 5",
						"<base policy>: s.x.aws_region: 'region' is not a metadata name declared by streamtype 'x'"));
	}

}
