package io.securestreams.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code secure-streams.policy.location} (or a certificate's {@code location}) that names a
 * directory (the file's name left out) fails start-up at the property saying so; before, the
 * directory's listing of file names was read as the policy and reported as invalid JSON at its
 * line 1, or an empty directory as an empty document.
 */
class SecureStreamsPolicyDirectoryLocationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s");

	@Test
	void aDirectoryIsReportedAtTheLocationProperty(@TempDir Path directory) throws Exception {
		Files.writeString(directory.resolve("policy.json"), "{\"release\": \"1\"}");
		this.runner.withPropertyValues("secure-streams.policy.location=file:" + directory).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
					(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
						.singleElement()
						.asString()
						.contains("secure-streams.policy.location: cannot read " + directory)
						.contains("is a directory"));
		});
	}

	@Test
	void aCertificateDirectoryIsReportedAtItsLocationProperty(@TempDir Path directory) throws Exception {
		// Before: "is neither a DER X.509 certificate nor a DER private key", blaming a file's content.
		Files.writeString(directory.resolve("ca.pem"), "not read");
		this.runner.withPropertyValues("secure-streams.policy.certs.ca.location=file:" + directory).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
					(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
						.singleElement()
						.asString()
						.contains("secure-streams.policy.certs.ca: cannot read")
						.contains("is a directory"));
		});
	}

}
