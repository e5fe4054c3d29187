package io.securestreams.boot.autoconfigure;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An entry the properties define with a bad value (a retry scheme, a certificate) is reported at
 * that value, and only there. Before, a streamtype or trust store that named the entry was also
 * reported, saying that no entry of that name existed ({@code no retry scheme named 'bad' in
 * retry}), which sent the reader looking for an entry that is there. A name no property defines is
 * still reported so.
 */
class RefusedEntryReferenceTests {

	private static final String TYPE = "secure-streams.policy.streamtypes.st.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", TYPE + "endpoint=127.0.0.1");

	@Test
	void aStreamTypeNamingARetrySchemeWithABadValueIsNotReportedAsNamingNone() {
		this.runner.withPropertyValues(TYPE + "retry=bad", "secure-streams.policy.retry.bad.jitter=500")
			.run((context) -> assertThat(problems(context.getStartupFailure())).containsExactly(
					"secure-streams.policy.retry.bad.jitter: expected an integer 0..100, got 500"));
	}

	@Test
	void aTrustStoreNamingABadCertificateIsNotReportedAsNamingNone() {
		this.runner
			.withPropertyValues(TYPE + "tls=true", TYPE + "tls-trust-store=ts",
					"secure-streams.policy.trust-stores.ts=ca", "secure-streams.policy.certs.ca.value=AAAA")
			.run((context) -> assertThat(problems(context.getStartupFailure())).singleElement()
				.asString()
				.startsWith("secure-streams.policy.certs.ca: "));
	}

	@Test
	void aNameNoPropertyDefinesIsStillReported() {
		this.runner.withPropertyValues(TYPE + "retry=missing")
			.run((context) -> assertThat(problems(context.getStartupFailure())).containsExactly(
					"secure-streams.policy.streamtypes.st.retry: no retry scheme named 'missing' in retry"));
	}

	private static java.util.List<String> problems(Throwable failure) {
		assertThat(failure).isInstanceOf(PolicyException.class);
		return ((PolicyException) failure).problems()
			.stream()
			.map((problem) -> problem.path() + ": " + problem.message())
			.toList();
	}

}
