package io.securestreams.protocol.h1;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.http.HttpTransaction;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata to and from headers, blob headers, {@code http_resp_map}, {@code http_expect},
 * endpoint URLs, 503/429 with Retry-After, and redirects.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class H1HeaderAndStatusTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final SystemBlobs blobs = new SystemBlobs();

	private final MockWebServer server = this.resources.mockWebServer();

	private StreamsUnderTest streams;

	private SecureStream create(RecordingHandler handler, java.util.function.Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x"));
		// In proxied mode the blobs belong to the proxy's context, which makes the requests.
		this.streams = this.resources.start(this.mode, fragment.build(), (b) -> b.systemBlobs(this.blobs));
		return this.streams.streams().create("t", handler);
	}

	/**
	 * The proxied sequence of a direct one: a GET started with requestTx connects without POLL
	 * (ONWARD_CONNECT), and DISCONNECTED follows each result (the proxy closes the onward
	 * connection after each transaction), so a later transaction connects again without POLL.
	 */
	private List<String> expected(String... direct) {
		if (this.mode == Mode.DIRECT) {
			return List.of(direct);
		}
		List<String> proxied = new java.util.ArrayList<>();
		for (int i = 0; i < direct.length; i++) {
			String state = direct[i];
			String previous = (i > 0) ? direct[i - 1] : "";
			if (state.equals("POLL") && (previous.equals("CREATING") || previous.equals("DISCONNECTED"))) {
				continue;
			}
			proxied.add(state);
			String next = (i + 1 < direct.length) ? direct[i + 1] : "";
			if (state.startsWith("QOS_") && !next.equals("DISCONNECTED")) {
				proxied.add("DISCONNECTED");
			}
		}
		return proxied;
	}

	private void awaitEnd(RecordingHandler handler, StreamState result) {
		handler.await(result, WAIT);
		if (this.mode == Mode.PROXIED) {
			Awaitility.await().atMost(WAIT).until(() -> handler.stateNames().get(handler.states.size() - 1)
				.equals("DISCONNECTED"));
		}
	}

	@Test
	void metadataIsSubstitutedAndMappedToHeadersBothWays() throws Exception {
		this.server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/x-test")
			.setHeader("X-Server-Tag", "srv-7").body("m").build());
		AtomicReference<String> seenAtConnected = new AtomicReference<>();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.CONNECTED) {
				seenAtConnected.set(s.metadata("ctype") + "|" + s.metadata("tag"));
			}
			return StreamResult.OK;
		});
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.HTTP_URL, "/items/${item}?uptag=${uptag}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("item", ""),
					new MetadataDeclaration("uptag", "X-Upload-Tag:"),
					new MetadataDeclaration("ctype", "content-type:"),
					new MetadataDeclaration("tag", "x-server-tag:"))));
		stream.setMetadata("item", "42");
		stream.setMetadata("uptag", "blue");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getTarget()).isEqualTo("/items/42?uptag=blue");
		assertThat(request.getHeaders().get("X-Upload-Tag")).isEqualTo("blue");
		assertThat(request.getHeaders().get("item")).isNull();
		assertThat(seenAtConnected.get()).isEqualTo("text/x-test|srv-7");
	}

	@Test
	void blobHeadersCarryTheAuthTokenAndDeviceIdentity() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("b").build());
		this.blobs.set(SystemBlobs.Type.AUTH, "tok123")
			.set(SystemBlobs.Type.DEVICE_SERIAL, "SN-1")
			.set(SystemBlobs.Type.DEVICE_FW_VERSION, "1.2.3")
			.set(SystemBlobs.Type.DEVICE_TYPE, "sensor");
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
			.set(StreamTypeKey.HTTP_AUTH_PREAMBLE, "Bearer ")
			.set(StreamTypeKey.HTTP_DSN_HEADER, "x-dsn:")
			.set(StreamTypeKey.HTTP_FWV_HEADER, "x-fw-version:")
			.set(StreamTypeKey.HTTP_DEVTYPE_HEADER, "x-device-type:")).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("authorization")).isEqualTo("Bearer tok123");
		assertThat(request.getHeaders().get("x-dsn")).isEqualTo("SN-1");
		assertThat(request.getHeaders().get("x-fw-version")).isEqualTo("1.2.3");
		assertThat(request.getHeaders().get("x-device-type")).isEqualTo("sensor");
	}

	@Test
	void hexifiedAuthTokenIsSentAsHex() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("b").build());
		this.blobs.set(SystemBlobs.Type.AUTH, new byte[] { 0x01, (byte) 0xAB });
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_AUTH_HEADER, "x-token:").set(StreamTypeKey.AUTH_HEXIFY, true))
			.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(this.server.takeRequest().getHeaders().get("x-token")).isEqualTo("01ab");
	}

	@Test
	void missingAuthBlobFailsTheAttemptWithoutSendingARequest() {
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:").set(StreamTypeKey.RETRY, null))
			.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void metadataThatMakesTheUrlUnusableFailsTheAttemptWithoutSendingARequest() {
		// A value not mapped to a header may hold any bytes; substituted into http_url, a space or a
		// line break makes a request line that must not be sent.
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.HTTP_URL, "/q/${q}")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("q", ""))));
		stream.setMetadata("q", "a b\r\nX-Injected: 1");
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).endsWith("CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void blobThatCannotBeAHeaderValueFailsTheAttemptWithoutSendingARequest() {
		this.blobs.set(SystemBlobs.Type.DEVICE_SERIAL, "SN-1\r\nX-Injected: 1");
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_DSN_HEADER, "x-dsn:").set(StreamTypeKey.RETRY, null))
			.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).endsWith("CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void responseMapTurnsAStatusIntoAUserStateBeforeConnected() {
		this.server.enqueue(new MockResponse.Builder().code(530).body("custom").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_RESP_MAP, List.of(new HttpResponseMapping(530, 1530))))
			.requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		// Through the proxy the user state travels in the four-byte CONNSTATE form.
		assertThat(handler.stateNames()).isEqualTo(expected("CREATING", "POLL", "CONNECTING", "USER_STATE_1530",
				"CONNECTED", "QOS_NACK_REMOTE", "DISCONNECTED"));
	}

	@Test
	void httpExpectMakesOnlyThatStatusASuccess() {
		this.server.enqueue(new MockResponse.Builder().code(200).body("not 204").build());
		this.server.enqueue(new MockResponse.Builder().code(204).build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.HTTP_EXPECT, 204));
		stream.requestTx();
		handler.await(StreamState.QOS_NACK_REMOTE, WAIT);
		stream.requestTx();
		awaitEnd(handler, StreamState.QOS_ACK_REMOTE);
		assertThat(handler.stateNames()).isEqualTo(expected("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_NACK_REMOTE", "DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE"));
	}

	@Test
	void endpointGivenAsAUrlOverridesHostPortAndPath() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("u").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b
			.set(StreamTypeKey.ENDPOINT, "http://127.0.0.1:" + this.server.getPort() + "/from/url?q=1")
			.set(StreamTypeKey.PORT, 1)).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/from/url?q=1");
	}

	@Test
	void serviceUnavailableRetriesAfterTheServersRetryAfter() {
		this.server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "1").build());
		this.server.enqueue(new MockResponse.Builder().body("later").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		}).requestTx();
		awaitEnd(handler, StreamState.QOS_ACK_REMOTE);
		assertThat(handler.stateNames()).isEqualTo(expected("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "CONNECTED", "QOS_ACK_REMOTE"));
		int unreachable = handler.states.indexOf(StreamState.UNREACHABLE);
		long waitedMillis = (handler.stateTimesNanos.get(unreachable + 2) - handler.stateTimesNanos.get(unreachable))
				/ 1_000_000;
		// The "fast" backoff is 50 ms; Retry-After asked for one second. The event loop's timer
		// wakes with millisecond granularity and the division truncates, so allow a few ms under.
		assertThat(waitedMillis).isGreaterThanOrEqualTo(990);
	}

	@Test
	void tooManyRequestsIsRetriedToo() {
		this.server.enqueue(new MockResponse.Builder().code(429).build());
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void redirectsAreRefusedUnlessAllowed() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/elsewhere").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> {
		}).requestTx();
		handler.await(StreamState.QOS_NACK_REMOTE, WAIT);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void allowedRedirectsAreFollowed() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(301).setHeader("Location", "/moved").build());
		this.server.enqueue(new MockResponse.Builder().code(307).setHeader("Location",
				"http://127.0.0.1:" + this.server.getPort() + "/final").build());
		this.server.enqueue(new MockResponse.Builder().body("arrived").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true)).requestTx();
		awaitEnd(handler, StreamState.QOS_ACK_REMOTE);
		assertThat(new String(handler.received())).isEqualTo("arrived");
		assertThat(handler.stateNames()).isEqualTo(expected("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE"));
		this.server.takeRequest();
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/moved");
		assertThat(this.server.takeRequest().getTarget()).isEqualTo("/final");
	}

	/**
	 * The README's reason for {@code allow_redirects} is a server that answers a POST with a
	 * redirect: a 303 is followed with a GET without a body (RFC 9110 section 15.4.4), as
	 * libwebsockets switches the method to GET for it.
	 */
	@Test
	void aPostAnsweredWithSeeOtherIsFollowedWithAGet() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(303).setHeader("Location", "/result").build());
		this.server.enqueue(new MockResponse.Builder().body("stored").build());
		byte[] body = "name=value".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST").set(StreamTypeKey.ALLOW_REDIRECTS, true))
			.requestTxLen(body.length);
		Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE)
				|| handler.states.contains(StreamState.QOS_NACK_REMOTE));
		assertThat(handler.states).contains(StreamState.QOS_ACK_REMOTE);
		awaitEnd(handler, StreamState.QOS_ACK_REMOTE);
		assertThat(new String(handler.received())).isEqualTo("stored");
		RecordedRequest post = this.server.takeRequest();
		assertThat(post.getMethod()).isEqualTo("POST");
		assertThat(post.getBody().utf8()).isEqualTo("name=value");
		RecordedRequest get = this.server.takeRequest();
		assertThat(get.getMethod()).isEqualTo("GET");
		assertThat(get.getTarget()).isEqualTo("/result");
		assertThat(get.getHeaders().get("Content-Length")).isNull();
		assertThat(get.getHeaders().get("Transfer-Encoding")).isNull();
		assertThat(get.getBodySize()).isZero();
	}

	@Test
	void aPostAnsweredWithATemporaryRedirectIsNotFollowedAndFails() throws Exception {
		// A 307 or 308 would need the body again, which onTx gave already: the answer is final.
		this.server.enqueue(new MockResponse.Builder().code(307).setHeader("Location", "/elsewhere").body("moved")
			.build());
		byte[] body = "name=value".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		create(handler, (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST").set(StreamTypeKey.ALLOW_REDIRECTS, true))
			.requestTxLen(body.length);
		awaitEnd(handler, StreamState.QOS_NACK_REMOTE);
		assertThat(handler.states).doesNotContain(StreamState.QOS_ACK_REMOTE);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(this.server.takeRequest().getBody().utf8()).isEqualTo("name=value");
	}

	/**
	 * README {@code http_cookies}: the streamtype stores the cookies the peer sets and brings them
	 * out again on its later requests; a streamtype without the key sends none.
	 */
	@Test
	void httpCookiesStoresTheServersCookiesAndSendsThemBack() throws Exception {
		this.server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "session=abc123; Path=/")
			.addHeader("Set-Cookie", "lang=en; Path=/x").body("one").build());
		this.server.enqueue(new MockResponse.Builder().body("two").build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> b.set(StreamTypeKey.HTTP_COOKIES, true));
		stream.requestTx();
		awaitEnd(handler, StreamState.QOS_ACK_REMOTE);
		stream.requestTx();
		Awaitility.await().atMost(WAIT)
			.until(() -> handler.states.stream().filter((state) -> state == StreamState.QOS_ACK_REMOTE).count() == 2);
		assertThat(this.server.takeRequest().getHeaders().get("Cookie")).isNull();
		assertThat(this.server.takeRequest().getHeaders().values("Cookie")).containsExactly("lang=en; session=abc123");
	}

	@Test
	void withoutHttpCookiesNoCookieIsSentBack() throws Exception {
		this.server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "session=abc123; Path=/").build());
		this.server.enqueue(new MockResponse.Builder().build());
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = create(handler, (b) -> {
		});
		stream.requestTx();
		awaitEnd(handler, StreamState.QOS_ACK_REMOTE);
		stream.requestTx();
		Awaitility.await().atMost(WAIT)
			.until(() -> handler.states.stream().filter((state) -> state == StreamState.QOS_ACK_REMOTE).count() == 2);
		this.server.takeRequest();
		assertThat(this.server.takeRequest().getHeaders().get("Cookie")).isNull();
	}

	@Test
	void failRedirectMakesARedirectAFailureEvenWhenRedirectsAreAllowed() {
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/portal").build());
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true).set(StreamTypeKey.HTTP_FAIL_REDIRECT, true))
			.requestTx();
		handler.await(StreamState.QOS_NACK_REMOTE, WAIT);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void redirectLoopsStopAfterTheLimit() {
		for (int i = 0; i <= HttpTransaction.MAX_REDIRECTS; i++) {
			this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/loop").build());
		}
		RecordingHandler handler = new RecordingHandler();
		create(handler, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true)).requestTx();
		handler.await(StreamState.QOS_NACK_REMOTE, WAIT);
		assertThat(this.server.getRequestCount()).isEqualTo(HttpTransaction.MAX_REDIRECTS + 1);
	}

}
