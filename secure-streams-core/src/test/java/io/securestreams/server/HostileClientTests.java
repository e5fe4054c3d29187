package io.securestreams.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import io.securestreams.testsupport.WsEchoHandler;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Misbehaving clients are cut off with a log line naming the reason, while a well-behaved http
 * client and an open ws connection on the same listener keep being served.
 */
class HostileClientTests {

	private final TransitionGuard guard = new TransitionGuard();

	private final LogCapture logs = new LogCapture();

	private SecureStreams streams;

	private SecureStream listener;

	private final OkHttpClient good = new OkHttpClient();

	private WebSocket goodWs;

	private final java.util.List<String> goodWsEchoes = new java.util.concurrent.CopyOnWriteArrayList<>();

	/** Serves http like {@link RoutingServerHandler} and echoes on upgraded connections. */
	static final class Handler extends RoutingServerHandler {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_UPGRADE) {
				stream.changeHandler(new WsEchoHandler());
			}
			return super.onState(stream, state, ack);
		}

	}

	@BeforeEach
	void start() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false).set(StreamTypeKey.WS_SUBPROTOCOL, "echo");
		this.streams = SecureStreams.builder(fragment.build())
			.eventLoopThreads(2)
			.listener(this.guard)
			.limits(ProtocolLimits.DEFAULTS.withMaxHttpHeaderSize(2048)
				.withHandshakeTimeout(Duration.ofSeconds(1))
				.withMaxWsFramePayload(ProtocolLimits.MIN_WS_FRAME_PAYLOAD))
			.build();
		StreamHandler handler = new Handler();
		this.listener = this.streams.create("srv", handler);
		this.goodWs = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("echo")
			.buildAsync(URI.create("ws://127.0.0.1:" + port() + "/"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					HostileClientTests.this.goodWsEchoes.add(data.toString());
					webSocket.request(1);
					return null;
				}
			}).join();
	}

	@AfterEach
	void stop() {
		this.goodWs.abort();
		this.streams.close();
		this.logs.close();
		this.guard.assertNoViolations();
	}

	private int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	private void othersStillServed(String marker) throws Exception {
		try (Response response = this.good.newCall(new Request.Builder()
			.url("http://127.0.0.1:" + port() + "/hello?name=" + marker).build()).execute()) {
			assertThat(response.body().string()).isEqualTo("hello " + marker);
		}
		this.goodWs.sendText(marker, true).join();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.goodWsEchoes.contains(marker));
	}

	private static String answerOf(Socket socket) throws Exception {
		socket.setSoTimeout(10_000);
		InputStream in = socket.getInputStream();
		String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		return answer.isEmpty() ? "" : answer.substring(0, answer.indexOf("\r\n"));
	}

	@Test
	void oversizedHeadersAreAnswered431AndCutOff() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", port())) {
			socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(4000) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			assertThat(answerOf(socket)).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
		}
		assertThat(this.logs.contains("cutting off the connection: request headers larger than 2048 bytes")).isTrue();
		othersStillServed("after-headers");
	}

	@Test
	void aSlowlorisTrickleIsCutOff() throws Exception {
		ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
		try (Socket socket = new Socket("127.0.0.1", port())) {
			OutputStream out = socket.getOutputStream();
			out.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			trickle.scheduleAtFixedRate(() -> {
				try {
					out.write('x');
					out.flush();
				}
				catch (java.io.IOException ex) {
					throw new IllegalStateException(ex);
				}
			}, 100, 100, TimeUnit.MILLISECONDS);
			long start = System.nanoTime();
			try {
				assertThat(answerOf(socket)).isIn("HTTP/1.1 408 Request Timeout", "");
			}
			catch (java.net.SocketException reset) {
				// The trickle may still be writing after the server closed: the reset can overtake the 408.
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(500));
		}
		finally {
			trickle.shutdownNow();
		}
		assertThat(this.logs.contains("cutting off the connection: no complete request head within 1000 ms")).isTrue();
		othersStillServed("after-slowloris");
	}

	@Test
	void garbageInsteadOfHttpIsAnswered400AndCutOff() throws Exception {
		try (Socket socket = new Socket("127.0.0.1", port())) {
			socket.getOutputStream().write("THIS IS NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(answerOf(socket)).isEqualTo("HTTP/1.1 400 Bad Request");
		}
		assertThat(this.logs.contains("cutting off the connection: malformed http request")).isTrue();
		othersStillServed("after-garbage");
	}

	@Test
	void anOversizedWsFrameClosesThatConnectionOnly() throws Exception {
		CompletableFuture<Integer> closed = new CompletableFuture<>();
		WebSocket bad = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("echo")
			.buildAsync(URI.create("ws://127.0.0.1:" + port() + "/"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
					closed.complete(statusCode);
					return null;
				}

				@Override
				public void onError(WebSocket webSocket, Throwable error) {
					closed.complete(-1);
				}
			}).join();
		bad.sendBinary(ByteBuffer.allocate(ProtocolLimits.MIN_WS_FRAME_PAYLOAD + 1), true);
		assertThat(closed.get(10, TimeUnit.SECONDS)).isIn(1009, -1);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.logs.contains("Max frame length"));
		assertThat(this.logs.contains("cutting off")).isTrue();
		othersStillServed("after-big-frame");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.listener.acceptedStreams().size() <= 2);
	}

}
