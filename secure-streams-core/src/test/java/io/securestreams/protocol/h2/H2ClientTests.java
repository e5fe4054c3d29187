package io.securestreams.protocol.h2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.auth.AwsCredentials;
import io.securestreams.auth.SigV4Signer;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 client streams against OkHttp's MockWebServer speaking HTTP/2 (negotiated by ALPN over TLS,
 * or with prior knowledge in the clear): each transaction is one h2 stream ending with
 * DISCONNECTED, as in libwebsockets, and the transactions of all streams to one endpoint share
 * one connection.
 */
class H2ClientTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final List<String> ONE_TRANSACTION = List.of("POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
			"DISCONNECTED");

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	private MockWebServer server(okhttp3.Protocol... protocols) {
		return H2TestServers.start(this.resources, protocols);
	}

	private MockWebServer h2Server() {
		return H2TestServers.h2(this.resources);
	}

	private static StreamTypePolicy.Builder h2(StreamTypePolicy.Builder builder, MockWebServer server, String method,
			String url) {
		return H2TestServers.policy(builder, server, method, url);
	}

	private SecureStream create(String streamType, MockWebServer server, RecordingHandler handler,
			Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(h2(fragment.streamType(streamType), server, "GET", "/x"));
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		return this.streams.create(streamType, handler);
	}

	private static List<String> states(String... sequence) {
		List<String> all = new ArrayList<>(List.of("CREATING"));
		all.addAll(List.of(sequence));
		return all;
	}

	@Test
	void tlsGetIsOneH2StreamAndTheNextTransactionReusesTheConnection() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body("hello h2").build());
		server.enqueue(new MockResponse.Builder().body("again").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create("get", server, handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello h2");
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM, StreamFlags.EOM);
		assertThat(stream.info().httpStatus()).isEqualTo(200);
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, 2, WAIT);
		List<String> twice = new ArrayList<>(ONE_TRANSACTION);
		twice.addAll(ONE_TRANSACTION);
		assertThat(handler.stateNames()).isEqualTo(states(twice.toArray(String[]::new)));
		RecordedRequest first = server.takeRequest();
		RecordedRequest second = server.takeRequest();
		assertThat(first.getVersion()).isEqualTo("HTTP/2");
		assertThat(first.getTarget()).isEqualTo("/x");
		assertThat(first.getHeaders().get(":authority")).isEqualTo("localhost:" + server.getPort());
		assertThat(first.getHandshakeServerNames()).containsExactly("localhost");
		assertThat(List.of(first.getConnectionIndex(), second.getConnectionIndex())).containsExactly(0, 0);
		assertThat(second.getExchangeIndex()).isEqualTo(1);
	}

	@Test
	void aRequestMadeWhileConnectedIsServedAfterTheServerResetsTheH2StreamMidBody() throws Exception {
		// Before, the opportunistic stream stayed idle after DISCONNECTED with the request pending
		// for good: no second transaction, and no onTx for a stream with a body.
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body("x".repeat(4096))
			.throttleBody(512, 50, java.util.concurrent.TimeUnit.MILLISECONDS)
			.onResponseBody(new SocketEffect.CloseStream(8))
			.build());
		server.enqueue(new MockResponse.Builder().body("again").build());
		RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTED && server.getRequestCount() == 1) {
				stream.requestTx();
			}
			return StreamResult.OK;
		});
		SecureStream stream = create("get", server, handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		assertThat(server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void streamsOfSeveralStreamtypesToOneEndpointShareOneConnection() throws Exception {
		MockWebServer server = h2Server();
		int count = 8;
		for (int i = 0; i < count; i++) {
			server.enqueue(new MockResponse.Builder().body("r" + i)
				.bodyDelay(100, java.util.concurrent.TimeUnit.MILLISECONDS)
				.build());
		}
		PolicyFragment fragment = TestPolicies.base();
		h2(fragment.streamType("a"), server, "GET", "/a");
		h2(fragment.streamType("b"), server, "GET", "/b");
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		List<RecordingHandler> handlers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			RecordingHandler handler = new RecordingHandler();
			handlers.add(handler);
			this.streams.create((i % 2 == 0) ? "a" : "b", handler).requestTx();
		}
		for (RecordingHandler handler : handlers) {
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).isEqualTo(states(ONE_TRANSACTION.toArray(String[]::new)));
			assertThat(new String(handler.received(), StandardCharsets.UTF_8)).matches("r[0-7]");
		}
		List<Integer> connections = new ArrayList<>();
		List<String> targets = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			RecordedRequest request = server.takeRequest();
			connections.add(request.getConnectionIndex());
			targets.add(request.getTarget());
		}
		assertThat(connections).containsOnly(0);
		assertThat(targets).containsOnly("/a", "/b").contains("/a", "/b");
	}

	@Test
	void clearTextPolicySpeaksH2WithPriorKnowledge() throws Exception {
		MockWebServer server = server(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
		server.enqueue(new MockResponse.Builder().body("in the clear").build());
		RecordingHandler handler = new RecordingHandler();
		create("get", server, handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("in the clear");
		assertThat(server.takeRequest().getVersion()).isEqualTo("HTTP/2");
	}

	@Test
	void requestBodiesFlowUnderTheServersFlowControlWindow() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body("stored").build());
		server.enqueue(new MockResponse.Builder().body("stored").build());
		byte[] body = new byte[1024 * 1024];
		ThreadLocalRandom.current().nextBytes(body);
		RecordingHandler handler = new RecordingHandler().send(body, 7000);
		SecureStream stream = create("put", server, handler, (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST"));
		stream.requestTxLen(body.length);
		handler.await(StreamState.DISCONNECTED, WAIT);
		handler.send(body, 65536);
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, 2, WAIT);
		RecordedRequest announced = server.takeRequest();
		RecordedRequest open = server.takeRequest();
		assertThat(announced.getMethod()).isEqualTo("POST");
		assertThat(announced.getHeaders().get("content-length")).isEqualTo(String.valueOf(body.length));
		assertThat(announced.getBody().toByteArray()).isEqualTo(body);
		assertThat(open.getHeaders().get("content-length")).isNull();
		assertThat(open.getBody().toByteArray()).isEqualTo(body);
		assertThat(handler.stateNames()).containsSubsequence("QOS_ACK_REMOTE", "DISCONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
	}

	@Test
	void largeResponseArrivesWholeAsSomThenChunksThenEom() {
		MockWebServer server = h2Server();
		byte[] payload = new byte[4 * 1024 * 1024];
		ThreadLocalRandom.current().nextBytes(payload);
		server.enqueue(new MockResponse.Builder().body(new Buffer().write(payload)).build());
		RecordingHandler handler = new RecordingHandler();
		create("get", server, handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.received()).isEqualTo(payload);
		assertThat(handler.rxFlags.get(0)).isEqualTo(StreamFlags.SOM);
		assertThat(handler.rxFlags.subList(1, handler.rxFlags.size() - 1)).containsOnly(0);
		assertThat(handler.rxFlags).last().isEqualTo(StreamFlags.EOM);
	}

	@Test
	void metadataBecomesRequestHeadersAndResponseHeadersBecomeMetadata() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().setHeader("X-Server-Tag", "srv-9").body("m").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create("get", server, handler, (b) -> b.set(StreamTypeKey.HTTP_URL, "/items/${item}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("item", ""),
					new MetadataDeclaration("uptag", "X-Upload-Tag:"),
					new MetadataDeclaration("tag", "x-server-tag:"))));
		stream.setMetadata("item", "42");
		stream.setMetadata("uptag", "device-a");
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(stream.metadata("tag")).isEqualTo("srv-9");
		RecordedRequest request = server.takeRequest();
		assertThat(request.getTarget()).isEqualTo("/items/42");
		assertThat(request.getHeaders().get("x-upload-tag")).isEqualTo("device-a");
	}

	@Test
	void non2xxIsNackThenDisconnected() {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().code(404).body("missing").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create("get", server, handler, (b) -> {
		});
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(states("POLL", "CONNECTING", "CONNECTED", "QOS_NACK_REMOTE",
				"DISCONNECTED"));
		assertThat(stream.info().httpStatus()).isEqualTo(404);
	}

	@Test
	void redirectIsFollowedOnANewStreamOfTheSameConnection() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/moved").body("gone").build());
		server.enqueue(new MockResponse.Builder().body("here").build());
		RecordingHandler handler = new RecordingHandler();
		create("get", server, handler, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true)).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("here");
		assertThat(handler.stateNames()).isEqualTo(states(ONE_TRANSACTION.toArray(String[]::new)));
		RecordedRequest first = server.takeRequest();
		RecordedRequest second = server.takeRequest();
		assertThat(second.getTarget()).isEqualTo("/moved");
		assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
	}

	/**
	 * A requestTx() made while a transaction's first hop waits for its answer is for the next
	 * transaction, also when that answer is a redirect: the hop to the new location continues the
	 * transaction whose request was already taken.
	 */
	@Test
	void aRequestMadeBeforeARedirectArrivesStartsTheNextTransaction() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/moved")
			.headersDelay(1, java.util.concurrent.TimeUnit.SECONDS).build());
		server.enqueue(new MockResponse.Builder().body("here").build());
		server.enqueue(new MockResponse.Builder().body(" and again").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create("get", server, handler, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true));
		stream.requestTx();
		assertThat(server.takeRequest().getTarget()).isEqualTo("/x");
		// The 302 is still a second away.
		stream.requestTx();
		handler.await(StreamState.DISCONNECTED, 2, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("here and again");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/moved");
		assertThat(server.takeRequest().getTarget()).isEqualTo("/x");
	}

	@Test
	void aPostAnsweredWithSeeOtherIsFollowedWithAGet() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().code(303).setHeader("Location", "/result").build());
		server.enqueue(new MockResponse.Builder().body("stored").build());
		byte[] body = "name=value".getBytes(StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		create("post", server, handler, (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST")
			.set(StreamTypeKey.ALLOW_REDIRECTS, true)).requestTxLen(body.length);
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).isEqualTo(states(ONE_TRANSACTION.toArray(String[]::new)));
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("stored");
		RecordedRequest post = server.takeRequest();
		assertThat(post.getMethod()).isEqualTo("POST");
		assertThat(post.getBody().utf8()).isEqualTo("name=value");
		RecordedRequest get = server.takeRequest();
		assertThat(get.getMethod()).isEqualTo("GET");
		assertThat(get.getTarget()).isEqualTo("/result");
		assertThat(get.getHeaders().get("content-length")).isNull();
		assertThat(get.getBodySize()).isZero();
	}

	@Test
	void serverThatOnlySpeaksHttp11IsUnreachableWithAClearReason() {
		MockWebServer server = server(okhttp3.Protocol.HTTP_1_1);
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.internal.ClientAttempt")) {
			RecordingHandler handler = new RecordingHandler();
			create("get", server, handler, (b) -> b.set(StreamTypeKey.RETRY, "once")).requestTx();
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "UNREACHABLE")
				.doesNotContain("CONNECTED");
			assertThat(logs.await("did not agree to h2")).contains("no_application_protocol", "\"protocol\": \"h1\"");
		}
		assertThat(server.getRequestCount()).isZero();
	}

	@Test
	void serverThatIgnoresAlpnIsUnreachableWithAClearReason() {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
		server.setProtocolNegotiationEnabled(false);
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.internal.ClientAttempt")) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			RecordingHandler handler = new RecordingHandler();
			create("get", server, handler, (b) -> b.set(StreamTypeKey.RETRY, "once")).requestTx();
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
			assertThat(logs.await("did not agree to h2")).contains("chose no protocol");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Test
	void connectionDroppedMidBodyReconnectsByBackoff() {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[256 * 1024]))
			.onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build());
		server.enqueue(new MockResponse.Builder().body("second try").build());
		RecordingHandler handler = new RecordingHandler();
		create("get", server, handler, (b) -> b.set(StreamTypeKey.OPPORTUNISTIC, false)).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(handler.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "POLL", "CONNECTING",
				"CONNECTED", "QOS_ACK_REMOTE");
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).endsWith("second try");
	}

	@Test
	void connectionTheServerShutsDownIsReplacedForTheNextTransaction() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body("last on this connection")
			.onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
		server.enqueue(new MockResponse.Builder().body("fresh").build());
		RecordingHandler first = new RecordingHandler();
		create("get", server, first, (b) -> {
		}).requestTx();
		first.await(StreamState.DISCONNECTED, WAIT);
		assertThat(first.stateNames()).contains("QOS_ACK_REMOTE");
		RecordingHandler second = new RecordingHandler();
		this.streams.create("get", second).requestTx();
		second.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(second.received(), StandardCharsets.UTF_8)).isEqualTo("fresh");
		assertThat(server.takeRequest().getConnectionIndex()).isZero();
		assertThat(server.takeRequest().getConnectionIndex()).isEqualTo(1);
	}

	@Test
	void destroyingAStreamMidTransactionResetsOnlyItsH2Stream() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body("slow").bodyDelay(3, java.util.concurrent.TimeUnit.SECONDS)
			.build());
		server.enqueue(new MockResponse.Builder().body("fast").build());
		RecordingHandler slow = new RecordingHandler();
		SecureStream doomed = create("get", server, slow, (b) -> {
		});
		doomed.requestTx();
		server.takeRequest();
		doomed.destroy();
		assertThat(doomed.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		RecordingHandler fast = new RecordingHandler();
		this.streams.create("get", fast).requestTx();
		fast.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(fast.received(), StandardCharsets.UTF_8)).isEqualTo("fast");
		assertThat(server.takeRequest().getConnectionIndex()).isZero();
		// The response head may or may not have arrived (CONNECTED) before the destroy; its
		// delayed body never did.
		assertThat(slow.stateNames()).isIn(states("POLL", "CONNECTING", "DESTROYING"),
				states("POLL", "CONNECTING", "CONNECTED", "DISCONNECTED", "DESTROYING"));
		assertThat(slow.received()).isEmpty();
	}

	@Test
	void sigv4SignsTheH2RequestOverTheAuthorityItIsSentTo() throws Exception {
		MockWebServer server = h2Server();
		server.enqueue(new MockResponse.Builder().body("signed").build());
		AwsCredentials key = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
		String emptyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
		PolicyFragment fragment = TestPolicies.base();
		fragment.auth(new AuthScheme("s3", "sigv4", null, 1));
		TestPolicies.sigv4(h2(fragment.streamType("get"), server, "GET", "/bucket/key"), "s3");
		this.streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().awsCredentials(1, key.keyId(), key.secret())));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("get", handler);
		stream.setMetadata("region", "eu-west-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.setMetadata("sha", emptyHash);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = server.takeRequest();
		Map<String, String> signed = new LinkedHashMap<>();
		signed.put("host", request.getHeaders().get(":authority"));
		signed.put("x-amz-date", request.getHeaders().get("x-amz-date"));
		signed.put("x-amz-content-sha256", request.getHeaders().get("x-amz-content-sha256"));
		assertThat(request.getHeaders().get("authorization")).isEqualTo(
				SigV4Signer.authorization("GET", request.getTarget(), signed, emptyHash, "eu-west-1", "s3", key));
	}

}
