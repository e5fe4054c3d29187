package io.securestreams.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyException;
import io.securestreams.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files named by {@code secure-streams.policy.certs.<name>.location}: one holding more than one
 * certificate (a CA bundle, a server's chain) is refused at its property, since a certs entry is
 * one certificate, instead of being cut to its first certificate without a word; a damaged
 * certificate is reported as a certificate, not as an unreadable private key.
 */
class CertificateFilePropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@Test
	void aPemFileOfSeveralCertificatesIsRefusedAtItsProperty(@TempDir Path directory) throws Exception {
		// The server's certificate path: its own certificate, then the CA that issued it.
		Path bundle = directory.resolve("chain.pem");
		Files.writeString(bundle, TestPki.server().getCertificatePEM() + TestPki.ca().getCertificatePEM());
		this.runner.withPropertyValues("secure-streams.policy.certs.chain.location=file:" + bundle,
				"secure-streams.policy.trust-stores.chain=chain",
				"secure-streams.policy.streamtypes.secure.endpoint=localhost",
				"secure-streams.policy.streamtypes.secure.tls=true",
				"secure-streams.policy.streamtypes.secure.tls-trust-store=chain")
			.run((context) -> {
				PolicyException exception = SecureStreamsAutoConfigurationTests
					.findCause(context.getStartupFailure(), PolicyException.class);
				// The trust store naming the refused entry is reported after it, as for any bad entry.
				assertThat(exception.problems()).first().satisfies((problem) -> {
					assertThat(problem.path()).isEqualTo("secure-streams.policy.certs.chain");
					assertThat(problem.message()).contains("chain.pem", "2 certificates", "CN=localhost",
							"CN=Secure Streams Test CA", "one certificate");
				});
			});
	}

	@Test
	void aDamagedCertificateFileIsReportedAsACertificate(@TempDir Path directory) throws Exception {
		String pem = TestPki.ca().getCertificatePEM();
		String[] lines = pem.split("\n");
		// Drop one whole base64 line: still base64, no longer a certificate.
		StringBuilder damaged = new StringBuilder();
		for (int i = 0; i < lines.length; i++) {
			if (i != 2) {
				damaged.append(lines[i]).append('\n');
			}
		}
		Path file = directory.resolve("ca.pem");
		Files.writeString(file, damaged);
		this.runner.withPropertyValues("secure-streams.policy.certs.ca.location=file:" + file)
			.run((context) -> {
				PolicyException exception = SecureStreamsAutoConfigurationTests
					.findCause(context.getStartupFailure(), PolicyException.class);
				assertThat(exception.problems()).singleElement().satisfies((problem) -> {
					assertThat(problem.path()).isEqualTo("secure-streams.policy.certs.ca");
					assertThat(problem.message()).startsWith("unreadable PEM certificate: ")
						.doesNotContain("private key");
				});
			});
	}

	@Test
	void aPemFileOfOneCertificateIsTheEntry(@TempDir Path directory) throws Exception {
		Path ca = directory.resolve("ca.pem");
		Files.writeString(ca, TestPki.ca().getCertificatePEM());
		this.runner.withPropertyValues("secure-streams.policy.certs.ca.location=file:" + ca,
				"secure-streams.policy.trust-stores.ca=ca")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SecureStreams.class).policy().trustAnchors("ca"))
					.containsExactly(TestPki.ca().getCertificate());
			});
	}

}
