package io.securestreams.runtime;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A policy built in code gets the checks a parsed one gets before a context starts on it: a
 * reference to something the policy does not define is an error naming its place, as the parser
 * and {@code replacePolicy} report it, instead of a failure at the first connection.
 */
class ProgrammaticPolicyTests {

	@Test
	void builderRefusesUndefinedReferencesNamingEachPlace() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("api"), "127.0.0.1", 443, "GET", "/")
			.set(StreamTypeKey.RETRY, "no_such_retry")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "no_such_store");
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> SecureStreams.builder(fragment.build()))
			.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::path)
				.containsExactlyInAnyOrder("s.api.retry", "s.api.tls_trust_store"))
			.withMessageContaining("no_such_retry")
			.withMessageContaining("no_such_store");
	}

	@Test
	void builderAcceptsAValidPolicyBuiltInCode() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("api"), "127.0.0.1", 443, "GET", "/")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
		try (SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build()) {
			assertThat(streams.policy().streamType("api")).isNotNull();
		}
	}

}
