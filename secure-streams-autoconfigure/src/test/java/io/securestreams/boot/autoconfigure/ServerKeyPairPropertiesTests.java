package io.securestreams.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;

import io.securestreams.policy.PolicyException;
import io.securestreams.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties that break the JSON policy's server key pair without naming the key (they replace
 * the key or the certificate in {@code certs}, or name another {@code server-cert}) are reported
 * at the property that did it, as an overlay is at its own entry, rather than at the JSON
 * policy's {@code s.web.server_key}, which nobody changed.
 */
class ServerKeyPairPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@TempDir
	Path directory;

	private String policyLocation() throws Exception {
		String json = "{\"certs\": [{\"srv\": \"" + TestPki.derBase64(TestPki.server().getCertificate()) + "\",\n"
				+ "\"srvkey\": \"" + TestPki.keyBase64(TestPki.server()) + "\",\n"
				+ "\"cli\": \"" + TestPki.derBase64(TestPki.client().getCertificate()) + "\",\n"
				+ "\"clikey\": \"" + TestPki.keyBase64(TestPki.client()) + "\"}],\n"
				+ "\"s\": [{\"web\": {\"server\": true, \"protocol\": \"h1\", \"port\": 0, \"tls\": true,\n"
				+ "\"server_cert\": \"srv\", \"server_key\": \"srvkey\",\n"
				+ "\"metadata\": [{\"path\": \"\"}, {\"method\": \"\"}]}}]}";
		Path file = this.directory.resolve("policy.json");
		Files.writeString(file, json);
		return "secure-streams.policy.location=file:" + file;
	}

	private void assertRefusedAt(String path, String messageEnd, String... properties) throws Exception {
		this.runner.withPropertyValues(policyLocation()).withPropertyValues(properties).run((context) -> {
			PolicyException exception = SecureStreamsAutoConfigurationTests.findCause(context.getStartupFailure(),
					PolicyException.class);
			assertThat(exception.problems()).singleElement().satisfies((problem) -> {
				assertThat(problem.path()).isEqualTo(path);
				assertThat(problem.message()).startsWith("the private key '").endsWith(messageEnd);
			});
		});
	}

	@Test
	void theJsonPairServes() throws Exception {
		this.runner.withPropertyValues(policyLocation()).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aKeyReplacedInCertsIsReportedAtThatEntry() throws Exception {
		assertRefusedAt("secure-streams.policy.certs.srvkey", "(server_key of streamtype 'web')",
				"secure-streams.policy.certs.srvkey.value=" + TestPki.keyBase64(TestPki.client()));
	}

	@Test
	void aCertificateReplacedInCertsIsReportedAtThatEntry() throws Exception {
		assertRefusedAt("secure-streams.policy.certs.srv", "(server_key of streamtype 'web')",
				"secure-streams.policy.certs.srv.value=" + TestPki.derBase64(TestPki.client().getCertificate()));
	}

	@Test
	void anotherServerCertIsReportedAtItsProperty() throws Exception {
		assertRefusedAt("secure-streams.policy.streamtypes.web.server-cert", "does not belong to the certificate "
				+ "'cli' (CN=" + TestPki.client().getCertificate().getSubjectX500Principal().getName().substring(3)
				+ ")", "secure-streams.policy.streamtypes.web.server-cert=cli");
	}

	@Test
	void anotherServerKeyIsStillReportedAtItsProperty() throws Exception {
		assertRefusedAt("secure-streams.policy.streamtypes.web.server-key", "(CN=localhost)",
				"secure-streams.policy.streamtypes.web.server-key=clikey",
				"secure-streams.policy.certs.srv.value=" + TestPki.derBase64(TestPki.server().getCertificate()));
	}

}
