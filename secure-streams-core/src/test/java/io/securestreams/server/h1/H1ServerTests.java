package io.securestreams.server.h1;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import javax.net.ssl.SSLContext;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamInfo;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class H1ServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	private SecureStreams start(Policy policy) {
		this.streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2));
		return this.streams;
	}

	private static Policy serverPolicy(boolean tls) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, tls);
		return fragment.build();
	}

	private static int port(SecureStream listener) {
		return ((InetSocketAddress) listener.localAddress()).getPort();
	}

	@Test
	void tlsServerAnswersThousandGetsAndHundredPostsFromTheJdkClient() throws Exception {
		start(serverPolicy(true));
		RoutingServerHandler handler = new RoutingServerHandler();
		SecureStream listener = this.streams.create("srv", handler);
		assertThat(listener.role()).isEqualTo(StreamRole.LISTENER);
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build();
		String base = "https://127.0.0.1:" + port(listener);
		Semaphore inFlight = new Semaphore(8);
		List<CompletableFuture<HttpResponse<String>>> gets = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			inFlight.acquire();
			gets.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/hello?name=n" + i)).build(),
					HttpResponse.BodyHandlers.ofString()).whenComplete((r, ex) -> inFlight.release()));
		}
		for (int i = 0; i < 1000; i++) {
			HttpResponse<String> response = gets.get(i).join();
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("content-type")).hasValue("text/plain");
			assertThat(response.body()).isEqualTo("hello n" + i);
		}
		Random random = new Random(5);
		for (int i = 0; i < 100; i++) {
			byte[] body = new byte[1 + random.nextInt(64 * 1024)];
			random.nextBytes(body);
			HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
				.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).isEqualTo(201);
			assertThat(response.headers().firstValue("content-type")).hasValue("application/octet-stream");
			assertThat(response.body()).isEqualTo(body);
		}
		HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).isEqualTo("not found");
		assertThat(listener.acceptedStreams()).isNotEmpty().allSatisfy((accepted) -> {
			StreamInfo info = accepted.info();
			assertThat(info.role()).isEqualTo(StreamRole.ACCEPTED);
			assertThat(info.listenerId()).isEqualTo(listener.id());
			assertThat(info.state()).isEqualTo("SERVER_TXN");
		});
		assertThat(handler.states.get(listener.id())).containsExactly(StreamState.CREATING);
	}

	@Test
	void keptAliveConnectionServesSeveralTransactionsOnOneAcceptedStream() throws Exception {
		start(serverPolicy(false));
		RoutingServerHandler handler = new RoutingServerHandler();
		SecureStream listener = this.streams.create("srv", handler);
		OkHttpClient client = new OkHttpClient();
		String base = "http://127.0.0.1:" + port(listener);
		for (String path : List.of("/hello?name=a", "/chunked", "/oneshot", "/silent")) {
			try (Response response = client.newCall(new Request.Builder().url(base + path).build()).execute()) {
				switch (path) {
					case "/chunked" -> {
						assertThat(response.header("transfer-encoding")).isEqualTo("chunked");
						assertThat(response.body().string()).isEqualTo("0123456789abcdefghij");
					}
					case "/oneshot" -> {
						assertThat(response.header("content-length")).isEqualTo("8");
						assertThat(response.body().string()).isEqualTo("one shot");
					}
					case "/silent" -> {
						assertThat(response.code()).isEqualTo(404);
						assertThat(response.body().string()).isEmpty();
					}
					default -> assertThat(response.body().string()).isEqualTo("hello a");
				}
			}
		}
		assertThat(listener.acceptedStreams()).hasSize(1);
		SecureStream accepted = listener.acceptedStreams().get(0);
		assertThat(handler.states.get(accepted.id())).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
				StreamState.CONNECTED, StreamState.SERVER_TXN, StreamState.SERVER_TXN, StreamState.SERVER_TXN,
				StreamState.SERVER_TXN);
		client.connectionPool().evictAll();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(handler.states.get(accepted.id())).endsWith(StreamState.DISCONNECTED, StreamState.DESTROYING);
	}

	@Test
	void listenerOnAUnixSocketServesOurOwnH1Client(@TempDir Path dir) {
		Path socket = dir.resolve("srv.sock");
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.ENDPOINT, "+" + socket);
		TestPolicies.h1(fragment.streamType("cli"), "+" + socket, 0, "GET", "/hello?name=unix")
			.set(StreamTypeKey.PORT, null);
		start(fragment.build());
		SecureStream listener = this.streams.create("srv", new RoutingServerHandler());
		assertThat(socket).exists();
		RecordingHandler client = new RecordingHandler();
		this.streams.create("cli", client).requestTx();
		client.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(new String(client.received(), StandardCharsets.UTF_8)).isEqualTo("hello unix");
		listener.destroy();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !socket.toFile().exists());
	}

	@Test
	void aListenerOnAPathHoldingAFileThatIsNoSocketFailsAndKeepsTheFile(@TempDir Path dir) throws Exception {
		Path notes = Files.writeString(dir.resolve("notes.txt"), "keep me");
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.ENDPOINT, "+" + notes);
		start(fragment.build());
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.create("srv", new RoutingServerHandler()))
			.withMessageContaining(notes + " is not a Unix socket");
		assertThat(notes).hasContent("keep me");
	}

	@Test
	void aSecondListenerOnALiveUnixSocketFailsAndTheFirstKeepsServing(@TempDir Path dir) {
		Path socket = dir.resolve("srv.sock");
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.ENDPOINT, "+" + socket);
		TestPolicies.h1(fragment.streamType("cli"), "+" + socket, 0, "GET", "/hello?name=unix")
			.set(StreamTypeKey.PORT, null);
		start(fragment.build());
		this.streams.create("srv", new RoutingServerHandler());
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.create("srv", new RoutingServerHandler()))
			.withMessageContaining("the Unix socket " + socket + " is in use by a running listener");
		RecordingHandler client = new RecordingHandler();
		this.streams.create("cli", client).requestTx();
		client.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(new String(client.received(), StandardCharsets.UTF_8)).isEqualTo("hello unix");
	}

	@Test
	void destroyingTheListenerClosesItAndEveryAcceptedStream() throws Exception {
		start(serverPolicy(false));
		RoutingServerHandler handler = new RoutingServerHandler();
		SecureStream listener = this.streams.create("srv", handler);
		int port = port(listener);
		try (java.net.Socket idle = new java.net.Socket("127.0.0.1", port)) {
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().size() == 1);
			long acceptedId = listener.acceptedStreams().get(0).id();
			listener.destroy();
			Awaitility.await().atMost(Duration.ofSeconds(5))
				.until(() -> handler.states.get(acceptedId).contains(StreamState.DESTROYING)
						&& handler.states.get(listener.id()).contains(StreamState.DESTROYING));
			assertThat(handler.states.get(acceptedId)).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.DESTROYING);
			assertThat(handler.states.get(listener.id())).containsExactly(StreamState.CREATING, StreamState.DESTROYING);
			assertThat(idle.getInputStream().read()).isEqualTo(-1);
		}
		assertThatExceptionOfType(java.net.ConnectException.class)
			.isThrownBy(() -> new java.net.Socket("127.0.0.1", port).close());
	}

	@Test
	void aServerStreamtypeWithoutPathOrMethodMetadataIsRefused() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", "")));
		start(fragment.build());
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.create("srv", new RecordingHandler()))
			.withMessageContaining("must declare metadata \"method\"");
	}

	@Test
	void aTlsServerWithoutCertificateIsRefused() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.TLS, true);
		start(fragment.build());
		RecordingHandler handler = new RecordingHandler();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.create("srv", handler))
			.withMessageContaining("\"server_cert\"");
		assertThat(handler.states).isEmpty();
	}

	@Test
	void aTlsServerWhoseCertAndKeyNamesAreSwappedIsRefusedClearly() throws Exception {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, true)
			.set(StreamTypeKey.SERVER_CERT, "srv_key")
			.set(StreamTypeKey.SERVER_KEY, "srv_cert");
		// A policy built in code is validated as a parsed one is, before anything starts.
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> start(fragment.build()))
			.withMessageContaining("s.srv.server_cert")
			.withMessageContaining("srv_key");
	}

	@Test
	void aTlsServerNamingAnUnknownCertsEntrySaysWhichOne() {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, true)
			.set(StreamTypeKey.SERVER_KEY, "no_such_key");
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> start(fragment.build()))
			.withMessageContaining("s.srv.server_key: no entry named 'no_such_key' in certs");
	}

	@Test
	void aTlsServerWhoseKeyDoesNotMatchItsCertificateIsRefused() throws Exception {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		fragment.certificate(PolicyCertificate.fromDer("other_key",
				TestPki.client().getKeyPair().getPrivate().getEncoded()));
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, true)
			.set(StreamTypeKey.SERVER_KEY, "other_key");
		// Refused with the policy, as a key of the wrong kind is, not when the listener is created.
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> start(fragment.build()))
			.withMessageContaining("s.srv.server_key: the private key 'other_key' does not belong to the certificate "
					+ "'srv_cert'");
	}

	@Test
	void aPortInUseFailsCreationWithAClearMessage() throws Exception {
		try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
				java.net.InetAddress.getByName("127.0.0.1"))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false)
				.set(StreamTypeKey.PORT, taken.getLocalPort());
			start(fragment.build());
			RecordingHandler handler = new RecordingHandler();
			assertThatExceptionOfType(SecureStreamsException.class)
				.isThrownBy(() -> this.streams.create("srv", handler))
				.withMessageContaining("cannot listen on")
				.withMessageContaining(Integer.toString(taken.getLocalPort()));
			assertThat(handler.states).isEmpty();
		}
	}

}
