package io.securestreams.runtime;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * A connect timeout Netty cannot take (zero or negative, or above Integer.MAX_VALUE ms, which its
 * int option wraps to a negative) is refused by the builder, as the Spring property is. Before, the
 * context was built and every connection attempt failed with Netty's "connectTimeoutMillis :
 * -1000 (expected: >= 0)" and an ERROR-like trace from its bootstrap, ending in ALL_RETRIES_FAILED.
 * A negative shutdown timeout is refused too.
 */
class BuilderArgumentsTests {

	@Test
	void aNegativeConnectTimeoutIsRefusedByTheBuilder() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecureStreams.builder(TestPolicies.base().build()).connectTimeout(Duration.ofSeconds(-1)))
			.withMessage("connectTimeout must be positive and at most 2147483647 ms, got PT-1S");
	}

	@Test
	void aZeroConnectTimeoutIsRefusedByTheBuilder() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecureStreams.proxiedBuilder("+@proxy.ss.lws").connectTimeout(Duration.ZERO))
			.withMessage("connectTimeout must be positive and at most 2147483647 ms, got PT0S");
	}

	@Test
	void aConnectTimeoutBeyondAnIntOfMillisecondsIsRefusedByTheBuilder() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecureStreams.builder(TestPolicies.base().build()).connectTimeout(Duration.ofDays(30)))
			.withMessage("connectTimeout must be positive and at most 2147483647 ms, got PT720H");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecureStreams.builder(TestPolicies.base().build())
				.connectTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
			.withMessageStartingWith("connectTimeout must be positive");
	}

	@Test
	void aNegativeShutdownTimeoutIsRefusedByTheBuilderAndZeroTaken() {
		// Taken before, it made every close skip its graceful part without a word.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecureStreams.builder(TestPolicies.base().build())
				.shutdownTimeout(Duration.ofSeconds(-1)))
			.withMessage("shutdownTimeout must not be negative, got PT-1S");
		assertThatNoException()
			.isThrownBy(() -> SecureStreams.builder(TestPolicies.base().build()).shutdownTimeout(Duration.ZERO));
	}

}
