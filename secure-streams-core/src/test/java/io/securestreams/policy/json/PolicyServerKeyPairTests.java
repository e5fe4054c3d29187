package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.policy.overlay.PolicyOverlays;
import io.securestreams.testsupport.TestPki;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A server streamtype whose {@code server_key} is not the key of its {@code server_cert}: a
 * listener can never be made of it, so the policy (or the overlay that makes the pair) is
 * refused where the key is named, as a key of the wrong kind already is, instead of parsing and
 * failing each time the listener is created.
 */
class PolicyServerKeyPairTests {

	private static String policy(String serverKey) {
		return "{\"certs\": [{\"srv\": \"" + TestPki.derBase64(TestPki.server().getCertificate()) + "\",\n"
				+ "\"srvkey\": \"" + TestPki.keyBase64(TestPki.server()) + "\",\n"
				+ "\"clikey\": \"" + TestPki.keyBase64(TestPki.client()) + "\"}],\n"
				+ "\"s\": [{\"web\": {\"server\": true, \"protocol\": \"h1\", \"port\": 0, \"tls\": true,\n"
				+ "\"server_cert\": \"srv\", \"server_key\": \"" + serverKey + "\"}}]}";
	}

	private static Policy parse(String json) {
		return new PolicyParser().parse("p.json", json.getBytes(StandardCharsets.UTF_8)).policy();
	}

	@Test
	void aKeyOfAnotherCertificateIsAnErrorAtServerKey() {
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> parse(policy("clikey")))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.singleElement()
				.asString()
				.startsWith("p.json:5:37: s[0].web.server_key: the private key 'clikey' does not belong to the "
						+ "certificate 'srv' (CN=localhost)"));
		assertThat(parse(policy("srvkey")).streamType("web").tls().serverKey()).isEqualTo("srvkey");
	}

	@Test
	void anOverlayThatMakesAMismatchedPairChangesNothing() {
		PolicyOverlays overlays = new PolicyOverlays(parse(policy("srvkey")));
		ActivePolicy before = overlays.current();
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> overlays.applyOverlay("o.json", "{\"s\": [{\"web\": {\"server_key\": \"clikey\"}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.singleElement()
				.asString()
				.startsWith("o.json:1:31: s[0].web.server_key: the private key 'clikey' does not belong to the "
						+ "certificate 'srv'"));
		assertThat(overlays.current()).isSameAs(before);
	}

	@Test
	void anOverlayReplacingTheKeyInCertsIsReportedAtThatEntry() {
		PolicyOverlays overlays = new PolicyOverlays(parse(policy("srvkey")));
		ActivePolicy before = overlays.current();
		String overlay = "{\"certs\": [\n{\"srvkey\": \"" + TestPki.keyBase64(TestPki.client()) + "\"}]}";
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> overlays.applyOverlay("o.json", overlay))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.singleElement()
				.asString()
				.startsWith("o.json:2:2: certs[0].srvkey: the private key 'srvkey' does not belong to the "
						+ "certificate 'srv' (CN=localhost")
				.endsWith(" (server_key of streamtype 'web')"));
		assertThat(overlays.current()).isSameAs(before);
	}

	@Test
	void anOverlayReplacingTheCertificateInCertsIsReportedAtThatEntry() {
		PolicyOverlays overlays = new PolicyOverlays(parse(policy("srvkey")));
		String overlay = "{\"certs\": [{\"srv\":\n\"" + TestPki.derBase64(TestPki.client().getCertificate()) + "\"}]}";
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> overlays.applyOverlay("o.json", overlay))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.singleElement()
				.asString()
				.startsWith("o.json:1:13: certs[0].srv: the private key 'srvkey' does not belong to the certificate "
						+ "'srv'")
				.endsWith(" (server_key of streamtype 'web')"));
	}

	@Test
	void anOverlayNamingAnotherServerCertIsReportedAtItsServerCert() {
		String base = policy("srvkey").replace("\"clikey\"",
				"\"cli\": \"" + TestPki.derBase64(TestPki.client().getCertificate()) + "\",\n\"clikey\"");
		PolicyOverlays overlays = new PolicyOverlays(parse(base));
		ActivePolicy before = overlays.current();
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> overlays.applyOverlay("o.json", "{\"s\": [{\"web\": {\"server_cert\": \"cli\"}}]}"))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
				.singleElement()
				.asString()
				.startsWith("o.json:1:32: s[0].web.server_cert: the private key 'srvkey' does not belong to the "
						+ "certificate 'cli'"));
		assertThat(overlays.current()).isSameAs(before);
	}

}
