package io.securestreams.server.h2;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RawH2Client;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.TransitionGuard;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code expect: 100-continue} on the h2 server, as on the h1 server: the 100 comes after
 * SERVER_TXN and before the body, never for a request the handler refuses or has already
 * answered, nor for one whose body has already arrived; any other expectation is answered 417 and
 * the stream reset with NO_ERROR, without reaching the handler. Played by a frame-by-frame client
 * and OkHttp in the clear, and by the JDK's HttpClient over TLS.
 */
class H2ServerExpectContinueTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final TransitionGuard guard = new TransitionGuard();

	private final ExpectHandler handler = new ExpectHandler();

	private final LogCapture logs = new LogCapture();

	@AfterEach
	void close() {
		this.logs.close();
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
		this.guard.assertNoViolations();
	}

	private SecureStream listen(boolean tls) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, tls);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.listener(this.guard)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(WAIT)));
		return streams.create("srv", this.handler);
	}

	private RawH2Client connect(SecureStream listener) throws InterruptedException {
		RawH2Client client = RawH2Client.connect(this.clientLoop, listener.localAddress(), new Http2Settings(), true);
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("SETTINGS"));
		return client;
	}

	private static Http2Headers expecting(String method, String path, String expectation) {
		return RawH2Client.request(method, path).set("expect", expectation).setInt("content-length", 3);
	}

	@Test
	void theContinueComesBeforeTheBodyAndTheAnswerAfterIt() throws Exception {
		RawH2Client client = connect(listen(false));
		int id = client.nextStreamId();
		client.send((w, c) -> w.writeHeaders(c, id, expecting("POST", "/echo", "100-continue"), 0, false,
				c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + id + " 100 end=false"));
		client.send((w, c) -> w.writeData(c, id, Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), 0, true,
				c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> client.dataBytes.get() == 3);
		assertThat(client.events).containsSubsequence("HEADERS " + id + " 100 end=false",
				"HEADERS " + id + " 201 end=false");
	}

	@Test
	void noContinueWhenTheHandlerAnswersBeforeTheBody() throws Exception {
		RawH2Client client = connect(listen(false));
		int id = client.nextStreamId();
		// The handler answers anything but POST at SERVER_TXN.
		client.send((w, c) -> w.writeHeaders(c, id, expecting("PUT", "/hello", "100-continue"), 0, false,
				c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + id + " 200 end=false"));
		// A client may send the body anyway: the stream reads it and ends.
		client.send((w, c) -> w.writeData(c, id, Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), 0, true,
				c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> this.handler.rxBytes.get() == 3);
		int next = client.get("/hello?name=b");
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + next + " 200 end=false"));
		assertThat(client.events).doesNotContain("HEADERS " + id + " 100 end=false")
			.noneMatch((e) -> e.startsWith("RST " + id));
	}

	@Test
	void aBodySentWithoutWaitingIsReadAfterAnEarlyAnswer() throws Exception {
		RawH2Client client = connect(listen(false));
		int id = client.nextStreamId();
		// The client does not wait for the 100 (RFC 9110 lets it): the body it sent is read to its end.
		client.send((w, c) -> {
			w.writeHeaders(c, id, expecting("PUT", "/hello", "100-continue"), 0, false, c.newPromise());
			w.writeData(c, id, Unpooled.copiedBuffer("ab", StandardCharsets.US_ASCII), 0, false, c.newPromise());
		});
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + id + " 200 end=false"));
		client.send((w, c) -> w.writeData(c, id, Unpooled.copiedBuffer("c", StandardCharsets.US_ASCII), 0, true,
				c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> this.handler.rxBytes.get() == 3);
		assertThat(client.events).noneMatch((e) -> e.startsWith("RST " + id))
			.doesNotContain("HEADERS " + id + " 100 end=false");
	}

	@Test
	void noContinueBeforeTheHandlerRefusesTheRequest() throws Exception {
		RawH2Client client = connect(listen(false));
		int id = client.nextStreamId();
		client.send((w, c) -> w.writeHeaders(c, id, expecting("POST", "/refuse", "100-continue"), 0, false,
				c.newPromise()));
		Awaitility.await().atMost(WAIT).until(() -> client.events.stream().anyMatch((e) -> e.startsWith("RST " + id)));
		assertThat(client.events).doesNotContain("HEADERS " + id + " 100 end=false");
	}

	@Test
	void noContinueWhenTheBodyCameWithTheHeaders() throws Exception {
		RawH2Client client = connect(listen(false));
		int id = client.nextStreamId();
		client.send((w, c) -> {
			w.writeHeaders(c, id, expecting("POST", "/echo", "100-continue"), 0, false, c.newPromise());
			w.writeData(c, id, Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII), 0, true, c.newPromise());
		});
		Awaitility.await().atMost(WAIT).until(() -> client.dataBytes.get() == 3);
		assertThat(client.events).contains("HEADERS " + id + " 201 end=false")
			.doesNotContain("HEADERS " + id + " 100 end=false");
	}

	@Test
	void anotherExpectationIsAnswered417AndTheStreamReset() throws Exception {
		SecureStream listener = listen(false);
		RawH2Client client = connect(listener);
		int id = client.nextStreamId();
		client.send((w, c) -> w.writeHeaders(c, id, expecting("POST", "/echo", "something-else"), 0, false,
				c.newPromise()));
		Awaitility.await().atMost(WAIT)
			.until(() -> client.events.contains("RST " + id + " " + Http2Error.NO_ERROR.code()));
		assertThat(client.events).containsSubsequence("HEADERS " + id + " 417 end=true",
				"RST " + id + " " + Http2Error.NO_ERROR.code());
		assertThat(this.logs.messages())
			.anySatisfy((line) -> assertThat(line).contains("unsupported expectation: expect 'something-else'"));
		assertThat(this.handler.acceptedStates(listener).values())
			.allSatisfy((states) -> assertThat(states).doesNotContain(StreamState.SERVER_TXN));
		// The connection carries on.
		int next = client.get("/hello?name=b");
		Awaitility.await().atMost(WAIT).until(() -> client.events.contains("HEADERS " + next + " 200 end=false"));
	}

	/**
	 * The JDK's HttpClient over TLS sends its body once the 100 comes after SERVER_TXN. A request
	 * the handler answers at once is not played with it: without the fix for JDK-8286171 (17.0.15
	 * has none) its h2 exchange never completes when the final response comes without a 100.
	 */
	@Test
	void theJdkClientSendsItsBodyAfterTheContinueOverTls() throws Exception {
		SecureStream listener = listen(true);
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ssl).build();
		String base = "https://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> echo = client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/echo"))
				.expectContinue(true)
				.POST(HttpRequest.BodyPublishers.ofString("body " + i))
				.build(), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
			assertThat(echo.version()).isEqualTo(HttpClient.Version.HTTP_2);
			assertThat(echo.statusCode()).isEqualTo(201);
			assertThat(echo.body()).isEqualTo("body " + i);
		}
	}

	/**
	 * OkHttp with prior knowledge: its body goes out after the 100 when the handler waits for it,
	 * and stays with the client when the handler answers at once (before, the 100 went out first
	 * whatever the handler did, and the client sent a body nobody wanted).
	 */
	@Test
	void okHttpSendsItsBodyOnlyWhenTheHandlerWantsIt() throws Exception {
		SecureStream listener = listen(false);
		String base = "http://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort();
		OkHttpClient client = new OkHttpClient.Builder().protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE))
			.build();
		MediaType text = MediaType.get("text/plain");
		try (Response echo = client.newCall(new Request.Builder().url(base + "/echo")
			.header("Expect", "100-continue")
			.post(RequestBody.create("hello", text))
			.build()).execute()) {
			assertThat(echo.protocol()).isEqualTo(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
			assertThat(echo.code()).isEqualTo(201);
			assertThat(echo.body().string()).isEqualTo("hello");
		}
		assertThat(this.handler.rxBytes.get()).isEqualTo(5);
		try (Response early = client.newCall(new Request.Builder().url(base + "/hello?name=k")
			.header("Expect", "100-continue")
			.put(RequestBody.create("unwanted", text))
			.build()).execute()) {
			assertThat(early.code()).isEqualTo(200);
			assertThat(early.body().string()).isEqualTo("hello k");
		}
		Awaitility.await().atMost(WAIT).until(() -> this.handler.acceptedStates(listener).values().stream()
			.filter((states) -> states.contains(StreamState.DISCONNECTED)).count() == 2);
		assertThat(this.handler.rxBytes.get()).isEqualTo(5);
		client.connectionPool().evictAll();
		client.dispatcher().executorService().shutdown();
	}

	/**
	 * The routing handler, refusing {@code POST /refuse} at SERVER_TXN (DISCONNECT_ME), and
	 * counting the request body bytes it receives.
	 */
	static final class ExpectHandler extends RoutingServerHandler {

		final AtomicLong rxBytes = new AtomicLong();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			StreamResult result = super.onState(stream, state, ack);
			if (state == StreamState.SERVER_TXN && "/refuse".equals(stream.metadata("path"))) {
				return StreamResult.DISCONNECT_ME;
			}
			return result;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			this.rxBytes.addAndGet(payload.remaining());
			return super.onRx(stream, payload, flags);
		}

	}

}
