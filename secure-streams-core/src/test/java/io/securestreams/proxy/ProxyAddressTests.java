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
			"[::1]:1234 | TCP | ::1 | 1234", "localhost:0 | TCP | localhost | 0",
			// Leading zeros were counted as digits: six of them made any port "outside 0 to 65535".
			"localhost:000080 | TCP | localhost | 80", "localhost:00000000065535 | TCP | localhost | 65535" })
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
			"host:http | has a port 'http' that is not a number", "host:70000 | has port 70000, outside 0 to 65535",
			"+@ | empty proxy address",
			"+ | empty proxy address", "::1:1234 | write an IPv6 address in brackets, as [::1]:PORT",
			"fe80::1 | write an IPv6 address in brackets", "::1 | write an IPv6 address in brackets" })
	void refusesWhatIsNoAddress(String text, String problem) {
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyAddress.parse(text)).withMessageContaining(problem);
	}

	/**
	 * Each way of getting a TCP address wrong is named: {@code [::1} (its bracket unclosed) was read
	 * as host {@code [:} and port 1 and told to write the address in brackets, which it was, and
	 * {@code [127.0.0.1:1234} was looked up as the host name {@code [127.0.0.1}.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "[::1 | proxy address '[::1' has an unclosed '['",
			"[127.0.0.1:1234 | proxy address '[127.0.0.1:1234' has an unclosed '['",
			"[::1]:1234] | proxy address '[::1]:1234]' has a port '1234]' that is not a number",
			"[::1] | proxy address '[::1]' has no port: write [ADDRESS]:PORT",
			"[::1]: | proxy address '[::1]:' has no port after ':'",
			"[::1]x | proxy address '[::1]x' has 'x' after ']' where ':PORT' belongs",
			"[]:1234 | proxy address '[]:1234' has no address between '[' and ']'",
			"host: | proxy address 'host:' has no port after ':'",
			":1234 | proxy address ':1234' has no host before ':1234'",
			"host:65536 | proxy address 'host:65536' has port 65536, outside 0 to 65535",
			"host:0000065536 | proxy address 'host:0000065536' has port 0000065536, outside 0 to 65535",
			"host:99999999999 | proxy address 'host:99999999999' has port 99999999999, outside 0 to 65535",
			"[::1]:65536 | proxy address '[::1]:65536' has port 65536, outside 0 to 65535",
			"host:-1 | proxy address 'host:-1' has a port '-1' that is not a number",
			"host:+80 | proxy address 'host:+80' has a port '+80' that is not a number",
			"host:12a | proxy address 'host:12a' has a port '12a' that is not a number",
			"[::1]:http | proxy address '[::1]:http' has a port 'http' that is not a number" })
	void aMalformedTcpAddressIsNamedForWhatIsWrongWithIt(String text, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyAddress.parse(text)).withMessage(message);
	}

}
