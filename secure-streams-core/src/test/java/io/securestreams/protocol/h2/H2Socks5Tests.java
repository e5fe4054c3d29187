package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
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

/**
 * h2 over TLS through a SOCKS5 proxy ({@code via-socks5}): ALPN, the preface and the client's
 * first frames wait for the tunnel, and two streams share the one tunnelled connection.
 */
class H2Socks5Tests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	@Test
	void h2StreamsShareOneConnectionThroughTheSocks5Tunnel() throws Exception {
		SshSocksProxy socks = this.resources.closing(new SshSocksProxy(this.temp));
		MockWebServer server = H2TestServers.h2(this.resources);
		server.enqueue(new MockResponse.Builder().body("one").build());
		server.enqueue(new MockResponse.Builder().body("two").build());
		PolicyFragment fragment = TestPolicies.base();
		H2TestServers.policy(fragment.streamType("t"), server, "GET", "/x")
			.set(StreamTypeKey.VIA_SOCKS5, socks.address());
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		RecordingHandler first = new RecordingHandler();
		RecordingHandler second = new RecordingHandler();
		streams.create("t", first).requestTx();
		first.await(StreamState.QOS_ACK_REMOTE, WAIT);
		streams.create("t", second).requestTx();
		second.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(first.received(), StandardCharsets.UTF_8) + new String(second.received(),
				StandardCharsets.UTF_8)).isEqualTo("onetwo");
		assertThat(server.takeRequest().getVersion()).isEqualTo("HTTP/2");
		assertThat(server.takeRequest().getConnectionIndex()).isZero();
		assertThat(socks.forwardedConnections()).isEqualTo(1);
	}

}
