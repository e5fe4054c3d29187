package io.securestreams.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Proxy addresses as libwebsockets writes them, where a leading {@code +} makes the rest a Unix
 * socket whatever it holds.
 */
class ProxyAddressTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "+@proxy.ss.lws | ABSTRACT | proxy.ss.lws | 0",
			"@name | ABSTRACT | name | 0", "+/run/ss.sock | PATH | /run/ss.sock | 0",
			"/run/ss.sock | PATH | /run/ss.sock | 0", "./ss.sock | PATH | ./ss.sock | 0",
			"+ss.sock | PATH | ss.sock | 0", "+run/ss.sock | PATH | run/ss.sock | 0",
			"+odd:name | PATH | odd:name | 0", "127.0.0.1:1234 | TCP | 127.0.0.1 | 1234",
			"[::1]:1234 | TCP | ::1 | 1234", "localhost:0 | TCP | localhost | 0" })
	void parsesEachForm(String text, ProxyAddress.Kind kind, String name, int port) {
		assertThat(ProxyAddress.parse(text)).isEqualTo(new ProxyAddress(kind, name, port));
	}

	@Test
	void theAddressAProxyOnARelativeSocketPathLogsIsOneAClientCanGive() {
		// ss-proxy --uds ss.sock logged "listening on +ss.sock", which parse refused as neither
		// +@name, +/path nor host:port.
		ProxyAddress listening = new ProxyAddress(ProxyAddress.Kind.PATH, "ss.sock", 0);
		assertThat(listening).hasToString("+ss.sock");
		assertThat(ProxyAddress.parse(listening.toString())).isEqualTo(listening);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "nope | is not +@name, +/path or host:port",
			"host:http | has a bad port", "host:70000 | bad port 70000", "+@ | empty proxy address",
			"+ | empty proxy address", "::1:1234 | write an IPv6 address in brackets, as [::1]:PORT",
			"fe80::1 | write an IPv6 address in brackets", "::1 | write an IPv6 address in brackets" })
	void refusesWhatIsNoAddress(String text, String problem) {
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyAddress.parse(text)).withMessageContaining(problem);
	}

}
