package io.securestreams.proxy.client;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.SecureStreamsProxy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.SshSocksProxy;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The seed README's scenario of an application reaching its Secure Streams proxy over TCP through
 * a SOCKS5 proxy ({@code ssh -D}, libwebsockets' {@code socks_proxy}): the links go through the
 * SOCKS5 proxy, and one it cannot make is the proxy being unreachable.
 */
class ProxiedViaSocks5Tests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	@Test
	void streamsReachATcpProxyThroughTheSocks5Proxy() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		server.enqueue(new MockResponse.Builder().body("via ssh -D").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", server.getPort(), "GET", "/");
		SecureStreams fulfilling = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStreamsProxy proxy = this.resources.closing(SecureStreamsProxy.builder(fulfilling)
			.listen(new ProxyAddress(ProxyAddress.Kind.TCP, "127.0.0.1", 0))
			.start());
		SshSocksProxy socks = this.resources.closing(new SshSocksProxy(this.temp));
		SecureStreams client = this.resources.start(SecureStreams.proxiedBuilder("127.0.0.1:" + proxy.address().port())
			.viaSocks5(socks.address())
			.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = client.create("get", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("via ssh -D");
		assertThat(handler.stateNames()).doesNotContain("UPSTREAM_LINK_RETRY");
		assertThat(socks.forwardedConnections()).isEqualTo(1);
	}

	@Test
	void aSocks5ProxyThatCannotReachTheProxyIsAnUnreachableProxy() throws Exception {
		int closedPort;
		try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = closed.getLocalPort();
		}
		SshSocksProxy socks = this.resources.closing(new SshSocksProxy(this.temp));
		SecureStreams client = this.resources.start(SecureStreams.proxiedBuilder("127.0.0.1:" + closedPort)
			.viaSocks5(socks.address())
			.eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		client.create("get", handler);
		handler.await(StreamState.UPSTREAM_LINK_RETRY, 2, WAIT);
		assertThat(handler.stateNames()).containsOnly("UPSTREAM_LINK_RETRY");
		assertThat(socks.forwardedConnections()).isGreaterThanOrEqualTo(2);
	}

	@Test
	void viaSocks5IsRefusedWhereItCannotApply() {
		assertThatIllegalStateException()
			.isThrownBy(() -> SecureStreams.builder(TestPolicies.base().build()).viaSocks5("127.0.0.1:1080"))
			.withMessageContaining("policy's via-socks5");
		assertThatIllegalStateException()
			.isThrownBy(() -> SecureStreams.proxiedBuilder("+/tmp/ss.sock").viaSocks5("127.0.0.1:1080"))
			.withMessageContaining("+/tmp/ss.sock is a Unix socket");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SecureStreams.proxiedBuilder("127.0.0.1:1234").viaSocks5("127.0.0.1"))
			.withMessageStartingWith("SOCKS5 proxy \"127.0.0.1\": ");
	}

}
