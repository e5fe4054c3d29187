package io.securestreams.protocol.raw;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection validity of raw streams (reference 5.4): no keepalive exists for raw, but with
 * {@code svalidhup} (2 s here) a connection is closed that long after the last proof of life,
 * which only the connection's start and the application's {@code validityConfirmed()} give.
 */
class RawValidityTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final ScheduledExecutorService confirmer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stopConfirming() {
		this.confirmer.shutdownNow();
	}

	private static PolicyFragment withValidity() {
		PolicyFragment fragment = TestPolicies.base();
		// Ping 1 s is ignored (raw has no keepalive); the backoff is long so only one connection counts.
		fragment.retry(new RetryPolicy("valid", List.of(30_000), RetryPolicy.CONCEAL_FOREVER, 0, 1, 2));
		return fragment;
	}

	private RecordingHandler connectClient(int port, RecordingHandler handler) {
		PolicyFragment fragment = withValidity();
		fragment.streamType("raw")
			.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.RETRY, "valid");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		streams.create("raw", handler).connect();
		return handler;
	}

	@Test
	void aClientConnectionWithoutProofOfLifeIsClosedAfterSvalidhup() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
				LogCapture logs = new LogCapture()) {
			RecordingHandler client = connectClient(peer.getLocalPort(), new RecordingHandler());
			try (Socket silent = peer.accept()) {
				client.await(StreamState.CONNECTED, WAIT);
				client.await(StreamState.DISCONNECTED, WAIT);
				assertThat(silent.getInputStream().read()).as("the client closed the connection").isEqualTo(-1);
				assertThat(logs.contains("validity timeout")).isTrue();
			}
		}
	}

	@Test
	void aClientConnectionTheApplicationConfirmsStaysOpen() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			RecordingHandler client = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.CONNECTED) {
					this.confirmer.scheduleAtFixedRate(stream::validityConfirmed, 500, 500, TimeUnit.MILLISECONDS);
				}
				return StreamResult.OK;
			});
			connectClient(peer.getLocalPort(), client);
			try (Socket silent = peer.accept()) {
				client.await(StreamState.CONNECTED, WAIT);
				Awaitility.await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(6))
					.until(() -> !client.states.contains(StreamState.DISCONNECTED));
			}
		}
	}

	@Test
	void anAcceptedConnectionWithoutProofOfLifeIsClosedAfterSvalidhup() throws Exception {
		PolicyFragment fragment = withValidity();
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, false).set(StreamTypeKey.RETRY, "valid");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("rawsrv", new RecordingHandler());
		try (LogCapture logs = new LogCapture();
				Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
			// Bounds the test should the server never hang up.
			socket.setSoTimeout((int) WAIT.toMillis());
			InputStream in = socket.getInputStream();
			assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
			assertThat(logs.contains("validity timeout")).isTrue();
		}
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().isEmpty());
	}

}
