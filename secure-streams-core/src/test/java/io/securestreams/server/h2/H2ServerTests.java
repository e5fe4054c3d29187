package io.securestreams.server.h2;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.WsEchoHandler;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 server streamtypes against third-party h2 clients (OkHttp and the JDK's HttpClient): ALPN
 * over TLS, prior knowledge in the clear, one accepted stream per h2 stream, the http/1.1
 * fallback, and clients that misbehave.
 */
class H2ServerTests {

	private static final List<StreamState> ONE_TRANSACTION = List.of(StreamState.CREATING, StreamState.CONNECTING,
			StreamState.CONNECTED, StreamState.SERVER_TXN, StreamState.DISCONNECTED, StreamState.DESTROYING);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	private SecureStreams start(Policy policy, ProtocolLimits limits) {
		this.streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2).limits(limits));
		return this.streams;
	}

	private SecureStream listen(boolean tls, RoutingServerHandler handler) {
		return listen(tls, handler, ProtocolLimits.DEFAULTS);
	}

	private SecureStream listen(boolean tls, RoutingServerHandler handler, ProtocolLimits limits) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, tls);
		start(fragment.build(), limits);
		return this.streams.create("srv", handler);
	}

	private static int port(SecureStream listener) {
		return ((InetSocketAddress) listener.localAddress()).getPort();
	}

	private static OkHttpClient okHttpTls() throws Exception {
		X509TrustManager trust = (X509TrustManager) TestPki.ca().toTrustManagerFactory().getTrustManagers()[0];
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, new X509TrustManager[] { trust }, null);
		return new OkHttpClient.Builder().sslSocketFactory(ssl.getSocketFactory(), trust).build();
	}

	private static HttpClient jdkClient(HttpClient.Version version) throws Exception {
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
		return HttpClient.newBuilder().version(version).sslContext(ssl).build();
	}

	private static CompletableFuture<Response> enqueue(OkHttpClient client, Request request) {
		CompletableFuture<Response> result = new CompletableFuture<>();
		client.newCall(request).enqueue(new Callback() {
			@Override
			public void onResponse(Call call, Response response) {
				result.complete(response);
			}

			@Override
			public void onFailure(Call call, IOException ex) {
				result.completeExceptionally(ex);
			}
		});
		return result;
	}

	private static void awaitEveryStreamGone(SecureStream listener) {
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> listener.acceptedStreams().isEmpty());
	}

	@Test
	void tlsServerAnswersConcurrentRequestsOnOneConnectionEachAsAnAcceptedStream() throws Exception {
		Set<SocketAddress> peers = ConcurrentHashMap.newKeySet();
		RoutingServerHandler handler = new RoutingServerHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_TXN) {
					peers.add(stream.peerAddress());
				}
				return super.onState(stream, state, ack);
			}
		};
		SecureStream listener = listen(true, handler);
		OkHttpClient client = okHttpTls();
		// OkHttp runs 5 calls per host at once by default: allow 64, under the server's 100 streams.
		client.dispatcher().setMaxRequestsPerHost(64);
		String base = "https://127.0.0.1:" + port(listener);
		// One request first, so that the concurrent ones find its connection instead of racing to
		// open their own.
		try (Response first = client.newCall(new Request.Builder().url(base + "/hello?name=first").build()).execute()) {
			assertThat(first.body().string()).isEqualTo("hello first");
		}
		List<CompletableFuture<Response>> gets = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			gets.add(enqueue(client, new Request.Builder().url(base + "/hello?name=n" + i).build()));
		}
		for (int i = 0; i < 200; i++) {
			try (Response response = gets.get(i).get(20, TimeUnit.SECONDS)) {
				assertThat(response.protocol()).isEqualTo(okhttp3.Protocol.HTTP_2);
				assertThat(response.code()).isEqualTo(200);
				assertThat(response.header("content-type")).isEqualTo("text/plain");
				assertThat(response.header("content-length")).isEqualTo(Integer.toString(("hello n" + i).length()));
				assertThat(response.body().string()).isEqualTo("hello n" + i);
			}
		}
		Random random = new Random(7);
		for (int i = 0; i < 50; i++) {
			byte[] body = new byte[random.nextInt(256 * 1024)];
			random.nextBytes(body);
			try (Response response = client.newCall(new Request.Builder().url(base + "/echo")
				.post(RequestBody.create(body, MediaType.get("application/octet-stream"))).build()).execute()) {
				assertThat(response.code()).isEqualTo(201);
				assertThat(response.body().bytes()).isEqualTo(body);
			}
		}
		try (Response silent = client.newCall(new Request.Builder().url(base + "/silent").build()).execute();
				Response unknown = client.newCall(new Request.Builder().url(base + "/nope").build()).execute()) {
			assertThat(silent.code()).isEqualTo(404);
			assertThat(silent.body().string()).isEmpty();
			assertThat(unknown.code()).isEqualTo(404);
			assertThat(unknown.body().string()).isEqualTo("not found");
		}
		// Multiplexed: the 253 requests came over one or two connections (OkHttp may race a spare
		// connection when many calls start at once).
		assertThat(peers).hasSizeBetween(1, 2);
		awaitEveryStreamGone(listener);
		Map<Long, List<StreamState>> accepted = handler.acceptedStates(listener);
		assertThat(accepted).hasSize(253).allSatisfy((id, states) -> assertThat(states).isEqualTo(ONE_TRANSACTION));
		assertThat(handler.states.get(listener.id())).containsExactly(StreamState.CREATING);
	}

	@Test
	void jdkClientUploadsAndDownloadsFourMebibytesUnderFlowControl() throws Exception {
		SecureStream listener = listen(true, new RoutingServerHandler());
		byte[] body = new byte[4 * 1024 * 1024];
		new Random(11).nextBytes(body);
		HttpResponse<byte[]> response = jdkClient(HttpClient.Version.HTTP_2).send(
				HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port(listener) + "/echo"))
					.POST(HttpRequest.BodyPublishers.ofByteArray(body))
					.build(),
				HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(response.headers().firstValueAsLong("content-length")).hasValue(body.length);
		assertThat(response.body()).isEqualTo(body);
	}

	@Test
	void priorKnowledgeAndHttp1ClientsShareAListenerInTheClear() throws Exception {
		RoutingServerHandler handler = new RoutingServerHandler();
		SecureStream listener = listen(false, handler);
		String base = "http://127.0.0.1:" + port(listener);
		OkHttpClient h2 = new OkHttpClient.Builder().protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)).build();
		try (Response response = h2.newCall(new Request.Builder().url(base + "/chunked").build()).execute()) {
			assertThat(response.protocol()).isEqualTo(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
			assertThat(response.header("content-length")).isNull();
			assertThat(response.body().string()).isEqualTo("0123456789abcdefghij");
		}
		try (Response head = h2.newCall(new Request.Builder().url(base + "/hello?name=hd").head().build()).execute()) {
			// HEAD: the head the GET would have, without its body.
			assertThat(head.code()).isEqualTo(200);
			assertThat(head.header("content-length")).isEqualTo("8");
			assertThat(head.body().bytes()).isEmpty();
		}
		OkHttpClient h1 = new OkHttpClient();
		for (String name : List.of("a", "b")) {
			try (Response response = h1.newCall(new Request.Builder().url(base + "/hello?name=" + name).build())
				.execute()) {
				assertThat(response.protocol()).isEqualTo(okhttp3.Protocol.HTTP_1_1);
				assertThat(response.body().string()).isEqualTo("hello " + name);
			}
		}
		h1.connectionPool().evictAll();
		h2.connectionPool().evictAll();
		awaitEveryStreamGone(listener);
		// One accepted stream per h2 stream, one for the kept-alive http/1.1 connection.
		assertThat(handler.acceptedStates(listener).values())
			.containsExactlyInAnyOrder(ONE_TRANSACTION, ONE_TRANSACTION,
					List.of(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED,
							StreamState.SERVER_TXN, StreamState.SERVER_TXN, StreamState.DISCONNECTED,
							StreamState.DESTROYING));
	}

	@Test
	void tlsClientWithoutH2IsServedByTheHttp1Binding() throws Exception {
		RoutingServerHandler handler = new RoutingServerHandler();
		SecureStream listener = listen(true, handler);
		HttpResponse<String> response = jdkClient(HttpClient.Version.HTTP_1_1).send(
				HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port(listener) + "/hello?name=tls1")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
		assertThat(response.body()).isEqualTo("hello tls1");
		assertThat(listener.acceptedStreams()).singleElement()
			.satisfies((accepted) -> assertThat(accepted.role()).isEqualTo(StreamRole.ACCEPTED));
	}

	@Test
	void wsUpgradesAreServedOverTheHttp1Fallback() throws Exception {
		RoutingServerHandler handler = new RoutingServerHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_UPGRADE) {
					stream.changeHandler(new WsEchoHandler());
				}
				return super.onState(stream, state, ack);
			}
		};
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false).set(StreamTypeKey.WS_SUBPROTOCOL, "echo");
		start(fragment.build(), ProtocolLimits.DEFAULTS);
		SecureStream listener = this.streams.create("srv", handler);
		List<String> echoes = new CopyOnWriteArrayList<>();
		WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("echo")
			.buildAsync(URI.create("ws://127.0.0.1:" + port(listener) + "/"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					echoes.add(data.toString());
					webSocket.request(1);
					return null;
				}
			})
			.join();
		assertThat(ws.getSubprotocol()).isEqualTo("echo");
		ws.sendText("over h1", true).join();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> echoes.contains("over h1"));
		ws.abort();
		awaitEveryStreamGone(listener);
		assertThat(handler.acceptedStates(listener).values()).singleElement()
			.satisfies((states) -> assertThat(states).startsWith(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.SERVER_UPGRADE));
	}

	@Test
	void aClientThatCancelsMidResponseEndsOnlyItsStream() throws Exception {
		RoutingServerHandler handler = new RoutingServerHandler();
		SecureStream listener = listen(true, handler);
		OkHttpClient client = okHttpTls();
		String base = "https://127.0.0.1:" + port(listener);
		byte[] body = new byte[8 * 1024 * 1024];
		Response big = client.newCall(new Request.Builder().url(base + "/echo")
			.post(RequestBody.create(body, MediaType.get("application/octet-stream"))).build()).execute();
		InputStream in = big.body().byteStream();
		assertThat(in.readNBytes(1024)).hasSize(1024);
		// Closing the body before its end resets the h2 stream; the connection stays up.
		big.close();
		try (Response next = client.newCall(new Request.Builder().url(base + "/hello?name=after").build()).execute()) {
			assertThat(next.body().string()).isEqualTo("hello after");
		}
		assertThat(client.connectionPool().connectionCount()).isEqualTo(1);
		awaitEveryStreamGone(listener);
		assertThat(handler.acceptedStates(listener).values()).allSatisfy(
				(states) -> assertThat(states).endsWith(StreamState.DISCONNECTED, StreamState.DESTROYING));
	}

	@Test
	void silentAndBrokenClientsAreCutOffWithAReasonWhileOthersAreServed() throws Exception {
		try (LogCapture logs = new LogCapture()) {
			SecureStream listener = listen(false, new RoutingServerHandler(),
					ProtocolLimits.DEFAULTS.withHandshakeTimeout(Duration.ofSeconds(1)));
			OkHttpClient good = new OkHttpClient.Builder().protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE))
				.build();
			String base = "http://127.0.0.1:" + port(listener);
			try (Socket silent = new Socket("127.0.0.1", port(listener));
					Socket broken = new Socket("127.0.0.1", port(listener))) {
				OutputStream out = broken.getOutputStream();
				out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				// A frame header announcing a 16 MiB SETTINGS frame: beyond the default max frame size.
				out.write(new byte[] { (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x04, 0, 0, 0, 0, 0 });
				out.flush();
				broken.setSoTimeout(10_000);
				broken.getInputStream().readAllBytes();
				try (Response response = good.newCall(new Request.Builder().url(base + "/hello?name=ok").build())
					.execute()) {
					assertThat(response.body().string()).isEqualTo("hello ok");
				}
				silent.setSoTimeout(10_000);
				assertThat(silent.getInputStream().read()).isEqualTo(-1);
			}
			assertThat(logs.messages()).anySatisfy(
					(line) -> assertThat(line).contains("cutting off the connection: no request within 1000 ms"));
			assertThat(logs.messages()).anySatisfy((line) -> assertThat(line).contains("cutting off the connection")
				.containsIgnoringCase("frame length"));
		}
	}

	@Test
	void anIdleH2ConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
		SecureStream listener = listen(false, new RoutingServerHandler(),
				ProtocolLimits.DEFAULTS.withHandshakeTimeout(Duration.ofMillis(500)));
		try (Socket socket = new Socket("127.0.0.1", port(listener))) {
			OutputStream out = socket.getOutputStream();
			out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.write(new byte[] { 0, 0, 0, 0x04, 0, 0, 0, 0, 0 });
			out.flush();
			socket.setSoTimeout(10_000);
			byte[] answer = socket.getInputStream().readAllBytes();
			// The server's SETTINGS, the ack of ours, then GOAWAY (type 7) before the close.
			assertThat(frameTypes(answer)).contains(4).endsWith(7);
		}
	}

	@Test
	void destroyingTheListenerClosesItsH2ConnectionsAtOnce() throws Exception {
		SecureStream listener = listen(false, new RoutingServerHandler());
		try (Socket socket = new Socket("127.0.0.1", port(listener))) {
			OutputStream out = socket.getOutputStream();
			out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.write(new byte[] { 0, 0, 0, 0x04, 0, 0, 0, 0, 0 });
			out.flush();
			InputStream in = socket.getInputStream();
			// The server's SETTINGS frame: the connection is served as h2.
			assertThat(in.readNBytes(9)[3]).isEqualTo((byte) 0x04);
			listener.destroy();
			// Well before the 10 s an idle connection would last.
			socket.setSoTimeout(5_000);
			in.readAllBytes();
		}
	}

	private static List<Integer> frameTypes(byte[] frames) {
		List<Integer> types = new ArrayList<>();
		for (int at = 0; at + 9 <= frames.length;) {
			int length = ((frames[at] & 0xff) << 16) | ((frames[at + 1] & 0xff) << 8) | (frames[at + 2] & 0xff);
			types.add(frames[at + 3] & 0xff);
			at += 9 + length;
		}
		return types;
	}

}
