package io.securestreams.runtime;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A nailed-up stream connects at creation; calls from its CREATING callback that ask for a
 * connection (held until CREATING returns) must not make it connect twice.
 */
class NailedUpCreatingCallsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@CsvSource({ "requestTx, 'CREATING, POLL, CONNECTING, CONNECTED'", "connect, 'CREATING, CONNECTING, CONNECTED'" })
	void aNailedUpStreamAskedToConnectFromCreatingOpensOneConnection(String call, String expected) throws Exception {
		try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			server.setSoTimeout((int) WAIT.toMillis());
			SecureStreams streams = this.resources.start(SecureStreams.builder(TestPolicies.with("r",
					(b) -> b.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
						.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
						.set(StreamTypeKey.PORT, server.getLocalPort())
						.set(StreamTypeKey.NAILED_UP, true)))
				.eventLoopThreads(2));
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.CREATING) {
					askToConnect(stream, call);
				}
				return StreamResult.OK;
			});
			streams.create("r", handler);
			try (Socket first = server.accept()) {
				handler.await(StreamState.CONNECTED, WAIT);
				// A second connection would have been opened right after the first.
				server.setSoTimeout(500);
				assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> server.accept().close());
				assertThat(String.join(", ", handler.stateNames())).isEqualTo(expected);
			}
		}
	}

	private static void askToConnect(SecureStream stream, String call) {
		if (call.equals("requestTx")) {
			stream.requestTx();
		}
		else {
			stream.connect();
		}
	}

}
