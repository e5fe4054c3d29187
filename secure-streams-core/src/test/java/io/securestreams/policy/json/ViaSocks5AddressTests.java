package io.securestreams.policy.json;

import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brackets in a {@code via-socks5} address hold an IPv6 literal: empty ones, which the JDK would
 * look up as the local host, or a host name in them, are refused where they are written. The port
 * is ASCII digits: Java's {@code Integer.parseInt} also reads a sign and the digits of every script
 * ({@code "\u0661\u0660\u0668\u0660"} as 1080), which lws' {@code atoi} reads as 0; a host holding a
 * space or a control character is no host name and would only fail at each connection.
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

	@ParameterizedTest
	@ValueSource(strings = { "proxy:+1080", "proxy:\u0661\u0660\u0668\u0660", "proxy: 1080", "pro xy:1080",
			"\u00a0:1080" })
	void aPortOtherThanAsciiDigitsOrAHostWithSpacesIsRefused(String address) {
		assertThat(PolicyParserErrorsTests.problems("{'via-socks5': '" + address + "'}"))
			.extracting(PolicyProblem::format)
			.containsExactly("t.json:1:16: via-socks5: expected host:port such as 127.0.0.1:1080, got a string \""
					+ address + "\"");
	}

	@Test
	void aPortWithLeadingZerosIsReadAsLwsReadsIt() {
		assertThat(PolicyParserErrorsTests.problems("{'via-socks5': 'proxy:01080'}")).isEmpty();
	}

}
