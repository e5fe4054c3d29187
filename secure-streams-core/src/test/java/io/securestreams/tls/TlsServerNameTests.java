package io.securestreams.tls;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which SNI name a client handshake carries for an endpoint.
 */
class TlsServerNameTests {

	@Test
	void hostNamesWithAndWithoutDotsAreSent() {
		assertThat(TlsContexts.serverName("localhost").getAsciiName()).isEqualTo("localhost");
		assertThat(TlsContexts.serverName("api.example.com").getAsciiName()).isEqualTo("api.example.com");
	}

	@Test
	void trailingDotOfAnAbsoluteNameIsDropped() {
		assertThat(TlsContexts.serverName("api.example.com.").getAsciiName()).isEqualTo("api.example.com");
	}

	@Test
	void ipLiteralsAndUnusableNamesSendNone() {
		assertThat(TlsContexts.serverName("127.0.0.1")).isNull();
		assertThat(TlsContexts.serverName("::1")).isNull();
		assertThat(TlsContexts.serverName("bad name with spaces")).isNull();
		assertThat(TlsContexts.serverName("")).isNull();
		assertThat(TlsContexts.serverName(null)).isNull();
	}

}
