package io.securestreams.protocol.ws;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our ws client closes with the closing handshake against Jetty: it sends its close frame, then
 * keeps the connection until Jetty's close frame came back (bounded, for a peer that never
 * answers). A relay between them holds Jetty's answer back to show the client waiting.
 */
class WsCloseHandshakeTests {

	private final TransitionGuard guard = new TransitionGuard();

	private JettyWsServer jetty;

	private TcpRelay relay;

	private SecureStreams streams;

	@BeforeEach
	void start() {
		this.jetty = new JettyWsServer(null, false);
		this.relay = new TcpRelay(this.jetty.port());
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("ws")
			.set(StreamTypeKey.PROTOCOL, Protocol.WS)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, this.relay.port())
			.set(StreamTypeKey.HTTP_URL, "/echo")
			.set(StreamTypeKey.OPPORTUNISTIC, true);
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.guard).build();
	}

	@AfterEach
	void stop() throws Exception {
		this.streams.close();
		this.relay.close();
		this.jetty.close();
		this.guard.assertNoViolations();
	}

	@Test
	void aDisconnectWaitsForThePeersCloseFrameBeforeClosingTheConnection() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("ws", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
		holdJettysReplies();
		handler.onState((s, state) -> (state == StreamState.TIMEOUT) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		stream.startTimeout(1);
		// Jetty read our close frame and answered; the relay holds the answer back.
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.jetty.closeCodes.contains(1000));
		assertThat(this.relay.openConnections()).as("the client still waits for the close frame").isEqualTo(1);
		assertThat(handler.stateNames()).doesNotContain("DISCONNECTED");
		this.relay.holdReplies(false);
		handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.relay.openConnections() == 0);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "TIMEOUT",
				"DISCONNECTED");
	}

	@Test
	void aPeerThatNeverAnswersTheCloseIsCutOffAfterTheBoundedWait() {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("ws", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
		holdJettysReplies();
		stream.destroy();
		handler.await(StreamState.DESTROYING, Duration.ofSeconds(10));
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.jetty.closeCodes.contains(1000));
		// Jetty's close frame never arrives: the client gives up waiting and closes.
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.relay.openConnections() == 0);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
	}

	/** Makes the relay hold back everything Jetty sends from now on. */
	private void holdJettysReplies() {
		this.relay.holdReplies(true);
	}

}
