package io.securestreams.policy.json;

import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brackets in a {@code via-socks5} address hold an IPv6 literal: empty ones, which the JDK would
 * look up as the local host, or a host name in them, are refused where they are written.
 */
class ViaSocks5AddressTests {

	@ParameterizedTest
	@ValueSource(strings = { "[]:1080", "[proxy.example]:1080", "[127.0.0.1]:1080" })
	void bracketsWithoutAnIpv6LiteralAreRefused(String address) {
		assertThat(PolicyParserErrorsTests.problems("{'via-socks5': '" + address + "'}"))
			.extracting(PolicyProblem::format)
			.containsExactly("t.json:1:16: via-socks5: expected host:port such as 127.0.0.1:1080, got a string \""
					+ address + "\"");
	}

	@Test
	void anIpv6LiteralInBracketsIsAccepted() {
		assertThat(PolicyParserErrorsTests.problems("{'via-socks5': '[::1]:1080'}")).isEmpty();
	}

}
