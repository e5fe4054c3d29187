package io.securestreams.protocol.ws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.TxSlot;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.EchoClientHandler;
import io.securestreams.testsupport.EchoPlan;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class WsClientTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	private SecureStreams start(Policy policy) {
		return start(policy, new SystemBlobs());
	}

	private SecureStreams start(Policy policy, SystemBlobs blobs) {
		this.streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2).systemBlobs(blobs));
		return this.streams;
	}

	private static Policy ws(int port, String url, Consumer<StreamTypePolicy.Builder> more) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.retry(new RetryPolicy("valid", List.of(100), RetryPolicy.CONCEAL_FOREVER, 0, 1, 2));
		more.accept(TestPolicies.ws(fragment.streamType("ws"), port, url));
		return fragment.build();
	}

	/** Connects a stream of {@code ws} and waits until its attempts ran out. */
	private RecordingHandler connectUntilAllRetriesFailed() {
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("ws", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
		return handler;
	}

	@Test
	void wssSendsMetadataHeadersAndEchoesAMessage() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer("echo-protocol", true)) {
			start(ws(jetty.port(), "echo", (b) -> b.set(StreamTypeKey.ENDPOINT, "localhost")
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.METADATA,
						List.of(new io.securestreams.policy.MetadataDeclaration("device", "x-device:")))));
			RecordingHandler handler = new RecordingHandler()
				.send("hello ws".getBytes(StandardCharsets.UTF_8), 1000);
			SecureStream stream = this.streams.create("ws", handler);
			stream.setMetadata("device", "unit-7");
			stream.requestTx();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 8);
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello ws");
			assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED");
			assertThat(jetty.upgradeHeaders.get(0)).containsEntry("x-device", "unit-7")
				.containsEntry("sec-websocket-protocol", "echo-protocol");
		}
	}

	@Test
	void aMessageOfAnnouncedLengthCountsDownWhatItStillOwes() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(ws(jetty.port(), "/echo", (b) -> {
			}));
			List<Long> remaining = new CopyOnWriteArrayList<>();
			byte[] body = new byte[3000];
			Arrays.fill(body, (byte) 'w');
			RecordingHandler handler = new RecordingHandler() {

				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					remaining.add(slot.remaining());
					return super.onTx(stream, slot);
				}

			}.send(body, 1000);
			SecureStream stream = this.streams.create("ws", handler);
			stream.requestTxLen(body.length);
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 3000);
			// The next message has no announced length.
			handler.send("more".getBytes(StandardCharsets.UTF_8), 1000);
			stream.requestTx();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 3004);
			assertThat(remaining).containsExactly(3000L, 2000L, 1000L, -1L);
		}
	}

	@Test
	void upgradeRequestCarriesTheSystemBlobHeadersAsH1RequestsDo() throws Exception {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.AUTH, new byte[] { 0x01, (byte) 0xab, 0x7f })
			.set(SystemBlobs.Type.DEVICE_SERIAL, "SN-0042")
			.set(SystemBlobs.Type.DEVICE_FW_VERSION, "1.2.3")
			.set(SystemBlobs.Type.DEVICE_TYPE, "thermostat");
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(ws(jetty.port(), "/echo", (b) -> b.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
				.set(StreamTypeKey.HTTP_AUTH_PREAMBLE, "bearer ")
				.set(StreamTypeKey.AUTH_HEXIFY, true)
				.set(StreamTypeKey.HTTP_DSN_HEADER, "x-dsn:")
				.set(StreamTypeKey.HTTP_FWV_HEADER, "x-fwv:")
				.set(StreamTypeKey.HTTP_DEVTYPE_HEADER, "x-devtype:")), blobs);
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			assertThat(jetty.upgradeHeaders).hasSize(1);
			assertThat(jetty.upgradeHeaders.get(0)).containsEntry("authorization", "bearer 01ab7f")
				.containsEntry("x-dsn", "SN-0042")
				.containsEntry("x-fwv", "1.2.3")
				.containsEntry("x-devtype", "thermostat");
		}
	}

	@Test
	void aMissingBlobFailsTheAttemptWithoutAnUpgradeRequest() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(ws(jetty.port(), "/echo", (b) -> b.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
				.set(StreamTypeKey.RETRY, null)));
			RecordingHandler handler = connectUntilAllRetriesFailed();
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(jetty.upgradeHeaders).isEmpty();
		}
	}

	@Test
	void aDifferentSubprotocolFailsTheAttempt() throws Exception {
		try (HandRolledWsServer server = new HandRolledWsServer("other-protocol")) {
			start(ws(server.port(), "/", (b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.RETRY, "once")));
			RecordingHandler handler = connectUntilAllRetriesFailed();
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
			assertThat(server.connections()).isEqualTo(2);
		}
	}

	@Test
	void aListOfSubprotocolsIsOfferedAndTheOneTheServerPicksIsAccepted() throws Exception {
		// libwebsockets passes a client's ws_subprotocol on as its sec-websocket-protocol list.
		try (JettyWsServer jetty = new JettyWsServer("echo-protocol", false)) {
			start(ws(jetty.port(), "/echo",
					(b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "other-protocol, echo-protocol")));
			RecordingHandler handler = new RecordingHandler().send("listed".getBytes(StandardCharsets.UTF_8), 1000);
			this.streams.create("ws", handler).requestTx();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 6);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED");
			assertThat(jetty.upgradeHeaders.get(0)).containsEntry("sec-websocket-protocol",
					"other-protocol, echo-protocol");
		}
	}

	@Test
	void aMissingSubprotocolFailsTheAttempt() throws Exception {
		try (HandRolledWsServer server = new HandRolledWsServer(null)) {
			start(ws(server.port(), "/", (b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.RETRY, null)));
			RecordingHandler handler = connectUntilAllRetriesFailed();
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(server.requests.get(0)).containsIgnoringCase("sec-websocket-protocol: echo-protocol");
		}
	}

	@Test
	void reconnectsWithBackoffWhenTheServerCloses() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(ws(jetty.port(), "/close", (b) -> {
			}));
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, 3, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
					"CONNECTING", "CONNECTED", "DISCONNECTED", "POLL", "CONNECTING", "CONNECTED");
			// The client is CONNECTED at the 101, which Jetty may send before it counts the session.
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jetty.sessions.get() >= 3);
		}
	}

	@Test
	void aStreamWithoutRetriesStaysIdleAfterTheServerCloses() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			// As libwebsockets: DISCONNECTED leaves the sequence idle, so the backoff that finds no
			// retry left does nothing (ALL_RETRIES_FAILED may not follow DISCONNECTED, reference
			// section 1.2), and the stream lives on for the application to connect again.
			assertStaysDisconnectedAfterTheServerCloses(jetty, (b) -> b.set(StreamTypeKey.RETRY, null));
			assertThat(this.streams.streams()).hasSize(1);
		}
	}

	@Test
	void anOpportunisticStreamDoesNotReconnect() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			assertStaysDisconnectedAfterTheServerCloses(jetty, (b) -> b.set(StreamTypeKey.OPPORTUNISTIC, true));
			assertThat(jetty.sessions.get()).isEqualTo(1);
		}
	}

	/**
	 * Connects a stream with these keys to the path where the server closes each session, and
	 * expects it to stay DISCONNECTED rather than reconnect.
	 */
	private void assertStaysDisconnectedAfterTheServerCloses(JettyWsServer jetty,
			Consumer<StreamTypePolicy.Builder> keys) {
		start(ws(jetty.port(), "/close", keys));
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("ws", handler).connect();
		handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
		Awaitility.await()
			.during(Duration.ofMillis(800))
			.atMost(Duration.ofSeconds(3))
			.until(() -> handler.stateNames().equals(List.of("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED")));
	}

	@Test
	void validityPingThenHangUpThenReconnect() throws Exception {
		try (HandRolledWsServer silent = new HandRolledWsServer(null); LogCapture logs = new LogCapture()) {
			start(ws(silent.port(), "/", (b) -> b.set(StreamTypeKey.RETRY, "valid")));
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
			long connectedAt = handler.stateTimesNanos.get(handler.states.indexOf(StreamState.CONNECTED));
			long disconnectedAt = handler.stateTimesNanos.get(handler.states.indexOf(StreamState.DISCONNECTED));
			assertThat(silent.opcodes).as("the client sent a PING").contains(0x9);
			long pingAt = silent.opcodeTimesNanos.get(silent.opcodes.indexOf(0x9));
			assertThat(Duration.ofNanos(pingAt - connectedAt)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(6));
			assertThat(Duration.ofNanos(disconnectedAt - connectedAt)).isBetween(Duration.ofMillis(1900),
					Duration.ofSeconds(8));
			assertThat(logs.contains("validity timeout")).isTrue();
			handler.await(StreamState.CONNECTED, 2, Duration.ofSeconds(10));
			assertThat(silent.connections()).isEqualTo(2);
		}
	}

	@Test
	void prioritizedReadsStillEchoEverything() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(ws(jetty.port(), "/echo", (b) -> b.set(StreamTypeKey.WS_PRIORITIZE_READS, true)
				.set(StreamTypeKey.WS_BINARY, true)));
			EchoClientHandler echo = new EchoClientHandler(EchoPlan.messages(300, false, 3));
			this.streams.create("ws", echo).connect();
			Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> echo.done() || !echo.problems.isEmpty());
			assertThat(echo.problems).isEmpty();
		}
	}

}
