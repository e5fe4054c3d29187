package io.securestreams.server.raw;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw server has no idle watch of its own ({@code handshakeTimeout} bounds only the TLS
 * handshake): a handler that wants one starts the stream timer at CONNECTED and drops the
 * connection at TIMEOUT, as docs/servers.md shows.
 */
class RawIdleClientTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aHandlerTimerCutsOffAClientThatConnectsAndSendsNothing() throws Exception {
		RecordingHandler server = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTED) {
				stream.startTimeout(200);
			}
			return (state == StreamState.TIMEOUT) ? StreamResult.DISCONNECT_ME : StreamResult.OK;
		});
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("rawsrv", server);
		try (Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
			socket.setSoTimeout(20_000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		server.await(StreamState.DESTROYING, Duration.ofSeconds(20));
		assertThat(server.stateNames()).containsExactly("CREATING", "CREATING", "CONNECTING", "CONNECTED", "TIMEOUT",
				"DISCONNECTED", "DESTROYING");
		assertThat(listener.acceptedStreams()).isEmpty();
	}

}
