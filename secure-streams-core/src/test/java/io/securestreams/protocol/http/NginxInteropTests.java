package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.NginxServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The h1 and h2 client bindings against Debian's nginx, started by each test on free loopback
 * ports: TLS with ALPN, h2 with prior knowledge, large bodies both ways under nginx's flow
 * control, and one shared h2 connection for many streams (nginx's access log names the
 * connection of each request). Run with {@code mvn -pl secure-streams-core -Pinterop test}; a
 * missing nginx fails.
 */
@Tag("interop")
class NginxInteropTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@TempDir
	Path dir;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private NginxServer nginx;

	@BeforeEach
	void startNginx() throws Exception {
		this.nginx = this.resources.closing(NginxServer.start(this.dir));
	}

	private SecureStreams start(Consumer<PolicyFragment> streamTypes) {
		PolicyFragment fragment = TestPolicies.base();
		streamTypes.accept(fragment);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
	}

	private StreamTypePolicy.Builder tls(PolicyFragment fragment, String name, Protocol protocol, String method,
			String url) {
		return TestPolicies.h1(fragment.streamType(name), "localhost", this.nginx.tlsPort(), method, url)
			.set(StreamTypeKey.PROTOCOL, protocol)
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
	}

	private byte[] file(String name, int size) throws Exception {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		Files.write(this.nginx.html().resolve(name), bytes);
		return bytes;
	}

	@Test
	void h2OverTlsDownloadsAFileWholeAndReusesTheConnection() throws Exception {
		byte[] expected = file("big.bin", 3 * 1024 * 1024);
		SecureStreams streams = start((f) -> tls(f, "get", Protocol.H2, "GET", "/big.bin"));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("get", handler);
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.received()).isEqualTo(expected);
		assertThat(handler.rxFlags).first().isEqualTo(StreamFlags.SOM);
		assertThat(handler.rxFlags).last().isEqualTo(StreamFlags.EOM);
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, 2, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED");
		List<String> log = this.nginx.accessLog();
		assertThat(log).hasSize(2).allMatch((line) -> line.endsWith("HTTP/2.0 GET /big.bin 200"));
		assertThat(connectionOf(log.get(0))).isEqualTo(connectionOf(log.get(1)));
	}

	// nginx allows 4 concurrent streams per connection here, and a 1 MiB answer keeps its stream
	// open across several flow-control windows, so most of the sixteen must wait for a slot.
	@Test
	void manyStreamsOfTwoStreamtypesShareOneH2Connection() throws Exception {
		byte[] medium = file("medium.bin", 1024 * 1024);
		SecureStreams streams = start((f) -> {
			tls(f, "hello", Protocol.H2, "GET", "/medium.bin");
			tls(f, "missing", Protocol.H2, "GET", "/status/404");
		});
		List<RecordingHandler> handlers = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			RecordingHandler handler = new RecordingHandler();
			handlers.add(handler);
			streams.create((i % 4 == 3) ? "missing" : "hello", handler).requestTx();
		}
		for (int i = 0; i < handlers.size(); i++) {
			RecordingHandler handler = handlers.get(i);
			handler.await(StreamState.DISCONNECTED, WAIT);
			// One attempt each: no stream was refused for exceeding nginx's limit and retried.
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					(i % 4 == 3) ? "QOS_NACK_REMOTE" : "QOS_ACK_REMOTE", "DISCONNECTED");
			if (i % 4 != 3) {
				assertThat(handler.received()).isEqualTo(medium);
			}
		}
		List<String> log = this.nginx.accessLog();
		assertThat(log).hasSize(16);
		assertThat(log.stream().map(NginxInteropTests::connectionOf).distinct()).hasSize(1);
		assertThat(log).filteredOn((line) -> line.endsWith("/status/404 404")).hasSize(4);
	}

	@Test
	void h2UploadIsStoredByteForByte() throws Exception {
		byte[] body = new byte[2 * 1024 * 1024];
		new Random(7).nextBytes(body);
		SecureStreams streams = start((f) -> tls(f, "put", Protocol.H2, "PUT", "/upload/device.bin"));
		RecordingHandler handler = new RecordingHandler().send(body, 10_000);
		streams.create("put", handler).requestTxLen(body.length);
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).contains("QOS_ACK_REMOTE");
		assertThat(Files.readAllBytes(this.nginx.html().resolve("upload/device.bin"))).isEqualTo(body);
		assertThat(this.nginx.accessLog()).singleElement().asString().endsWith("HTTP/2.0 PUT /upload/device.bin 201");
	}

	@Test
	void h2WithPriorKnowledgeInTheClear() throws Exception {
		SecureStreams streams = start((f) -> TestPolicies.h1(f.streamType("clear"), "127.0.0.1", this.nginx.h2cPort(),
				"GET", "/hello").set(StreamTypeKey.PROTOCOL, Protocol.H2));
		RecordingHandler handler = new RecordingHandler();
		streams.create("clear", handler).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello from nginx");
		assertThat(this.nginx.accessLog()).singleElement().asString().endsWith("HTTP/2.0 GET /hello 200");
	}

	@Test
	void aProxiedH2StreamWithACreditTakesALargeGrantAtItsClientsPace() throws Exception {
		// nginx sends all the window it has at once: a proxy that offered a large grant in one
		// window would be sent more than its proxy_buflen while its client reads slowly.
		byte[] expected = file("credit.bin", 3 * 1024 * 1024);
		PolicyFragment fragment = TestPolicies.base();
		tls(fragment, "paced", Protocol.H2, "GET", "/credit.bin");
		StreamsUnderTest streams = this.resources.start(Mode.PROXIED, fragment.build(), (b) -> b.eventLoopThreads(4));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.streams().create("paced", handler, 100_000);
		stream.requestTx();
		handler.await(StreamState.CONNECTED, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length >= 100_000);
		Awaitility.await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> assertThat(handler.received()).hasSize(100_000));
		// From now on a client slower than the server.
		handler.slowRx(Duration.ofMillis(1));
		stream.addPeerTxCredit(8_000_000);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(expected);
	}

	@Test
	void h1OverTlsKeepsTheConnectionAliveAndUploads() throws Exception {
		byte[] expected = file("small.bin", 100 * 1024);
		byte[] body = new byte[300 * 1024];
		new Random(3).nextBytes(body);
		SecureStreams streams = start((f) -> {
			tls(f, "get", Protocol.H1, "GET", "/small.bin");
			tls(f, "put", Protocol.H1, "PUT", "/upload/h1.bin");
		});
		RecordingHandler getter = new RecordingHandler();
		SecureStream get = streams.create("get", getter);
		get.requestTx();
		getter.await(StreamState.QOS_ACK_REMOTE, WAIT);
		get.requestTx();
		getter.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		assertThat(getter.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		byte[] twice = new byte[expected.length * 2];
		System.arraycopy(expected, 0, twice, 0, expected.length);
		System.arraycopy(expected, 0, twice, expected.length, expected.length);
		assertThat(getter.received()).isEqualTo(twice);
		RecordingHandler putter = new RecordingHandler().send(body, 4096);
		streams.create("put", putter).requestTxLen(body.length);
		putter.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(Files.readAllBytes(this.nginx.html().resolve("upload/h1.bin"))).isEqualTo(body);
		List<String> log = this.nginx.accessLog();
		assertThat(log).hasSize(3).allMatch((line) -> line.contains(" HTTP/1.1 "));
		assertThat(connectionOf(log.get(0))).isEqualTo(connectionOf(log.get(1)));
	}

	private static String connectionOf(String line) {
		return line.substring(0, line.indexOf(' '));
	}

}
