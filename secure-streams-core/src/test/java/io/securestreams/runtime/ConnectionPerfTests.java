package io.securestreams.runtime;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code "perf": true}: the timings of each connection reach the stream as one rx flagged
 * SOM, EOM and PERF_JSON when the connection ends, before the state that tells of the end, as
 * libwebsockets' connection monitor delivers them; through the proxy they travel as a PERF frame.
 */
class ConnectionPerfTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@EnumSource(Mode.class)
	void plainHttpConnectionReportsSocketAndResponseTimingsBeforeDisconnected(Mode mode) throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().code(200).addHeader("Connection", "close").body("timed").build());
		PerfRecorder handler = run(mode, (b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "/timed")
			.set(StreamTypeKey.PERF, true));
		handler.awaitState(StreamState.DISCONNECTED);
		JsonNode perf = handler.onlyPerf();
		assertThat(perf.get("peer").asString()).isEqualTo("127.0.0.1");
		// An address literal is not looked up.
		assertThat(perf.get("dns_disp").asInt()).isZero();
		assertThat(perf.get("dns_us").asLong()).isZero();
		assertThat(perf.get("dns").isEmpty()).isTrue();
		assertThat(perf.get("sockconn_us").asLong()).isPositive();
		assertThat(perf.get("tls_us").asLong()).isZero();
		assertThat(perf.get("txn_resp_us").asLong()).isPositive();
		assertThat(perf.get("prot_specific").get("protocol").asString()).isEqualTo("http");
		assertThat(perf.get("prot_specific").get("resp").asInt()).isEqualTo(200);
		assertThat(handler.payload).containsExactly("timed", "");
		if (mode == Mode.DIRECT) {
			assertThat(handler.events).containsSubsequence("QOS_ACK_REMOTE", "PERF", "DISCONNECTED");
			assertThat(handler.events.get(handler.events.indexOf("PERF") + 1)).isEqualTo("DISCONNECTED");
		}
	}

	@Test
	void tlsConnectionToANameReportsTheLookupAndTheHandshake() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().code(404).body("gone").build());
			PerfRecorder handler = run(Mode.DIRECT, (b) -> TestPolicies
				.h1(b, "localhost", server.getPort(), "GET", "/missing")
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.PERF, true));
			// A NACKed transaction closes the connection.
			handler.awaitState(StreamState.DISCONNECTED);
			JsonNode perf = handler.onlyPerf();
			assertThat(perf.get("peer").asString()).isEqualTo("127.0.0.1");
			assertThat(perf.get("dns_disp").asInt()).isEqualTo(1);
			// Every address of the name (localhost may have ::1 too), the server's among them.
			assertThat(perf.get("dns").valueStream().map(JsonNode::asString)).contains("127.0.0.1");
			assertThat(perf.get("tls_us").asLong()).isPositive();
			assertThat(perf.get("txn_resp_us").asLong()).isPositive();
			assertThat(perf.get("prot_specific").get("resp").asInt()).isEqualTo(404);
			assertThat(handler.events).containsSubsequence("QOS_NACK_REMOTE", "PERF", "DISCONNECTED");
		}
	}

	@Test
	void h2StreamWithPerfGetsTheTimingsOfAConnectionOfItsOwn() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
			server.setProtocols(List.of(okhttp3.Protocol.HTTP_2, okhttp3.Protocol.HTTP_1_1));
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("timed h2").build());
			PerfRecorder handler = run(Mode.DIRECT, (b) -> TestPolicies
				.h1(b, "localhost", server.getPort(), "GET", "/h2")
				.set(StreamTypeKey.PROTOCOL, Protocol.H2)
				.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
				.set(StreamTypeKey.PERF, true));
			// Each h2 transaction ends its exchange; a perf stream's connection is its own and closes with it.
			handler.awaitState(StreamState.DISCONNECTED);
			JsonNode perf = handler.onlyPerf();
			assertThat(perf.get("tls_us").asLong()).isPositive();
			assertThat(perf.get("txn_resp_us").asLong()).isPositive();
			assertThat(perf.get("prot_specific").get("resp").asInt()).isEqualTo(200);
			assertThat(handler.events).containsSubsequence("QOS_ACK_REMOTE", "PERF", "DISCONNECTED");
			assertThat(server.takeRequest().getVersion()).isEqualTo("HTTP/2");
		}
	}

	@Test
	void refusedConnectionReportsBeforeEachUnreachable() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = socket.getLocalPort();
		}
		PerfRecorder handler = run(Mode.DIRECT, (b) -> TestPolicies.h1(b, "127.0.0.1", closedPort, "GET", "/")
			.set(StreamTypeKey.RETRY, "once")
			.set(StreamTypeKey.PERF, true));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "PERF", "UNREACHABLE", "POLL",
				"CONNECTING", "PERF", "UNREACHABLE", "ALL_RETRIES_FAILED");
		JsonNode perf = handler.perf.get(0);
		assertThat(perf.get("peer").asString()).isEqualTo("127.0.0.1");
		assertThat(perf.get("tls_us").asLong()).isZero();
		assertThat(perf.get("txn_resp_us").asLong()).isZero();
		assertThat(perf.has("prot_specific")).isFalse();
	}

	@Test
	void unresolvableNameReportsNoResult() {
		PerfRecorder handler = run(Mode.DIRECT, (b) -> TestPolicies.h1(b, "perf-test.invalid", 80, "GET", "/")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.PERF, true));
		handler.awaitState(StreamState.ALL_RETRIES_FAILED);
		assertThat(handler.events).containsExactly("CREATING", "POLL", "CONNECTING", "PERF", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		JsonNode perf = handler.onlyPerf();
		assertThat(perf.get("dns_disp").asInt()).isEqualTo(3);
		assertThat(perf.get("peer").asString()).isEmpty();
		assertThat(perf.get("sockconn_us").asLong()).isZero();
	}

	@Test
	void wsConnectionReportsTheUpgradeWhenTheApplicationDisconnects() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			PerfRecorder handler = new PerfRecorder();
			handler.onConnected = StreamResult.DISCONNECT_ME;
			// Opportunistic: the stream stays idle after the drop instead of connecting again.
			start(Mode.DIRECT, (b) -> TestPolicies.ws(b, jetty.port(), "/echo")
				.set(StreamTypeKey.OPPORTUNISTIC, true)
				.set(StreamTypeKey.PERF, true))
				.create("perf", handler)
				.connect();
			handler.awaitState(StreamState.DISCONNECTED);
			JsonNode perf = handler.onlyPerf();
			assertThat(perf.get("sockconn_us").asLong()).isPositive();
			assertThat(perf.get("prot_specific").get("resp").asInt()).isEqualTo(101);
			assertThat(handler.events).containsSubsequence("CONNECTED", "PERF", "DISCONNECTED");
		}
	}

	@Test
	void streamTypeWithoutPerfNeverSeesPerfJson() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().code(200).addHeader("Connection", "close").body("quiet").build());
		PerfRecorder handler = run(Mode.DIRECT,
				(b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "/quiet"));
		handler.awaitState(StreamState.DISCONNECTED);
		assertThat(handler.events).doesNotContain("PERF");
		assertThat(handler.payload).containsExactly("quiet", "");
	}

	@Test
	void destroyMeFromThePerfRxDestroysTheStream() throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().code(200).addHeader("Connection", "close").body("bye").build());
		PerfRecorder handler = new PerfRecorder();
		handler.onPerf = StreamResult.DESTROY_ME;
		start(Mode.DIRECT, (b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "/bye")
			.set(StreamTypeKey.PERF, true))
			.create("perf", handler)
			.requestTx();
		handler.awaitState(StreamState.DESTROYING);
		// Destroying a stream that saw CONNECTED reports DISCONNECTED first, as always.
		assertThat(handler.events).endsWith("QOS_ACK_REMOTE", "PERF", "DISCONNECTED", "DESTROYING");
		assertThat(handler.events).containsOnlyOnce("DISCONNECTED");
	}

	private PerfRecorder run(Mode mode, Consumer<StreamTypePolicy.Builder> keys) {
		PerfRecorder handler = new PerfRecorder();
		start(mode, keys).create("perf", handler).requestTx();
		return handler;
	}

	private io.securestreams.SecureStreams start(Mode mode, Consumer<StreamTypePolicy.Builder> keys) {
		StreamsUnderTest streams = this.resources.start(mode, TestPolicies.with("perf", keys),
				(b) -> b.eventLoopThreads(2));
		return streams.streams();
	}

	/** Records states, payload and performance JSON in the order the stream saw them. */
	static final class PerfRecorder implements StreamHandler {

		final List<String> events = new CopyOnWriteArrayList<>();

		final List<String> payload = new CopyOnWriteArrayList<>();

		final List<JsonNode> perf = new CopyOnWriteArrayList<>();

		volatile StreamResult onConnected = StreamResult.OK;

		volatile StreamResult onPerf = StreamResult.OK;

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			this.events.add(state.name());
			return (state == StreamState.CONNECTED) ? this.onConnected : StreamResult.OK;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer data, int flags) {
			byte[] bytes = new byte[data.remaining()];
			data.get(bytes);
			if (StreamFlags.has(flags, StreamFlags.PERF_JSON)) {
				assertThat(flags).isEqualTo(StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON);
				this.events.add("PERF");
				this.perf.add(JSON.readTree(bytes));
				return this.onPerf;
			}
			this.payload.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
			return StreamResult.OK;
		}

		void awaitState(StreamState state) {
			await().atMost(WAIT).until(() -> this.events.contains(state.name()));
		}

		JsonNode onlyPerf() {
			await().atMost(WAIT).until(() -> !this.perf.isEmpty());
			assertThat(this.perf).hasSize(1);
			return this.perf.get(0);
		}

	}

}
