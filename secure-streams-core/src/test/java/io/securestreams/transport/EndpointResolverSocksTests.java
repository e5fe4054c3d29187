package io.securestreams.transport;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointResolverSocksTests {

	@Test
	void addressLiteralsAreUsedAsTheyAre() {
		InetSocketAddress v4 = EndpointResolver.socksAddress("127.0.0.1:1080");
		assertThat(v4.isUnresolved()).isFalse();
		assertThat(v4.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
		assertThat(v4.getPort()).isEqualTo(1080);
		InetSocketAddress v6 = EndpointResolver.socksAddress("[::1]:1081");
		assertThat(v6.isUnresolved()).isFalse();
		assertThat(v6.getAddress().isLoopbackAddress()).isTrue();
		assertThat(v6.getPort()).isEqualTo(1081);
	}

	@Test
	void hostNamesAreLeftForTheConnectorToLookUp() {
		InetSocketAddress named = EndpointResolver.socksAddress("proxy.example:1080");
		assertThat(named.isUnresolved()).isTrue();
		assertThat(named.getHostString()).isEqualTo("proxy.example");
		assertThat(named.getPort()).isEqualTo(1080);
	}

}
