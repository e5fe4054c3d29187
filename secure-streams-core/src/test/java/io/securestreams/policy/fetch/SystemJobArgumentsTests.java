package io.securestreams.policy.fetch;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.auth.AccessTokenFetcher;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The system jobs (policy fetch, token fetch, captive portal detection) refuse, when they are
 * made, a size or a time no run could use: a largest policy under one byte took every fetch for
 * too large, and a timeout beyond what a stream's timer (and a proxy's TIMEOUT_UPDATE) can carry
 * failed each run with an arithmetic or argument error instead.
 */
class SystemJobArgumentsTests {

	private static final Duration TOO_LONG = Duration.ofMillis(0xFFFF_FFFFL);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams() {
		return this.resources.start(SecureStreams.builder(TestPolicies.helloWorldSink()).eventLoopThreads(1));
	}

	@Test
	void aPolicyFetcherRefusesALargestPolicyUnderOneByte() {
		SecureStreams streams = streams();
		for (int maxBytes : new int[] { 0, -1 }) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> new PolicyFetcher(streams, "fetch_policy", Duration.ofSeconds(1), maxBytes))
				.withMessageContaining("maxBytes")
				.withMessageContaining(Integer.toString(maxBytes));
		}
	}

	@Test
	void everySystemJobRefusesATimeoutTooLongForAStreamTimer() {
		SecureStreams streams = streams();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PolicyFetcher(streams, "fetch_policy", TOO_LONG, 1024))
			.withMessageContaining("4294967294 ms");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PolicyFetcher(streams, "fetch_policy", Duration.ofSeconds(Long.MAX_VALUE), 1024))
			.withMessageContaining("4294967294 ms");
		assertThatIllegalArgumentException().isThrownBy(() -> new AccessTokenFetcher(streams, "token", TOO_LONG))
			.withMessageContaining("4294967294 ms");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new CaptivePortalDetector(streams, "captive_portal_detect", TOO_LONG))
			.withMessageContaining("4294967294 ms");
	}

}
