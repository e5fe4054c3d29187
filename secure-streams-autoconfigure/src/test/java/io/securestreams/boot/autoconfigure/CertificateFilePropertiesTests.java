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
 * A {@code secure-streams.policy.certs.<name>.location} file holding more than one certificate
 * (a CA bundle, a server's chain): a certs entry is one certificate, so such a file is refused at
 * its property instead of being cut to its first certificate without a word.
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
