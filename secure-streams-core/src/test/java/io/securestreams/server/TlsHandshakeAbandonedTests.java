package io.securestreams.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TLS listener's peer that goes away during the handshake (a health check, a client that gives
 * up) is routine: it is logged at debug level as what it is, not warned about as "TLS handshake
 * failed: null" each time. A client sending something that is not TLS is still a warning, naming
 * the failure.
 */
class TlsHandshakeAbandonedTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final Logger serverLogs = (Logger) LoggerFactory.getLogger("io.securestreams.server");

	private Level level;

	@BeforeEach
	void debug() {
		this.level = this.serverLogs.getLevel();
		this.serverLogs.setLevel(Level.DEBUG);
	}

	@AfterEach
	void restore() {
		this.serverLogs.setLevel(this.level);
	}

	private InetSocketAddress listen(Protocol protocol) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), protocol, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("srv", new RecordingHandler());
		return new InetSocketAddress(InetAddress.getLoopbackAddress(),
				((InetSocketAddress) listener.localAddress()).getPort());
	}

	// An h2 listener (ALPN) hears of no connection before its handshake ends.
	@Test
	void aPeerThatClosesDuringTheHandshakeIsNoWarning() throws Exception {
		InetSocketAddress address = listen(Protocol.H1);
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.server")) {
			try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
				// The start of a ClientHello's record header, then the close: the handshake has begun.
				socket.getOutputStream().write(new byte[] { 0x16, 0x03, 0x01 });
			}
			assertThat(logs.await("closed the connection during the TLS handshake")).doesNotContain("null");
			assertThat(logs.messages()).noneMatch((line) -> line.contains("TLS handshake failed"));
		}
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "H1", "H2" })
	void aPeerThatSpeaksSomethingElseIsStillWarnedAbout(Protocol protocol) throws Exception {
		InetSocketAddress address = listen(protocol);
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.server");
				Socket socket = new Socket(address.getAddress(), address.getPort())) {
			socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(logs.await("TLS handshake failed")).doesNotEndWith("null");
		}
	}

}
