package io.securestreams.protocol.http;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code http_cookies}: the cookies a server sets are kept by the context and sent back on the
 * later requests they apply to, by every streamtype that sets the key, and by no other.
 */
class HttpCookiesTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams streams;

	private void start() {
		start(0);
	}

	private void start(int wsPort) {
		PolicyFragment fragment = TestPolicies.base();
		int port = this.server.getPort();
		TestPolicies.h1(fragment.streamType("login"), "127.0.0.1", port, "GET", "/login")
			.set(StreamTypeKey.HTTP_COOKIES, true)
			.set(StreamTypeKey.ALLOW_REDIRECTS, true);
		TestPolicies.h1(fragment.streamType("api"), "127.0.0.1", port, "GET", "/api/items")
			.set(StreamTypeKey.HTTP_COOKIES, true);
		TestPolicies.h1(fragment.streamType("plain"), "127.0.0.1", port, "GET", "/api/items");
		TestPolicies.ws(fragment.streamType("ws"), Math.max(wsPort, 1), "/live").set(StreamTypeKey.HTTP_COOKIES, true);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	private RecordedRequest transaction(String streamType) throws Exception {
		RecordingHandler handler = new RecordingHandler();
		this.streams.create(streamType, handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		return this.server.takeRequest();
	}

	@Test
	void cookiesSetByTheServerGoBackWhereTheyApplyOnlyFromCookieStreamtypes() throws Exception {
		start();
		this.server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "session=abc; Path=/")
			.addHeader("Set-Cookie", "login-only=1; Path=/login")
			.body("welcome")
			.build());
		for (int i = 0; i < 3; i++) {
			this.server.enqueue(new MockResponse.Builder().body("ok").build());
		}
		assertThat(transaction("login").getHeaders().get("Cookie")).isNull();
		assertThat(transaction("login").getHeaders().values("Cookie")).containsExactly("login-only=1; session=abc");
		assertThat(transaction("api").getHeaders().values("Cookie")).containsExactly("session=abc");
		assertThat(transaction("plain").getHeaders().get("Cookie")).isNull();
	}

	@Test
	void aCookieSetByARedirectGoesWithTheFollowedRequest() throws Exception {
		start();
		this.server.enqueue(new MockResponse.Builder().code(302)
			.setHeader("Location", "/home")
			.addHeader("Set-Cookie", "session=xyz")
			.build());
		this.server.enqueue(new MockResponse.Builder().body("home").build());
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("login", handler).requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(this.server.takeRequest().getHeaders().get("Cookie")).isNull();
		RecordedRequest followed = this.server.takeRequest();
		assertThat(followed.getTarget()).isEqualTo("/home");
		assertThat(followed.getHeaders().values("Cookie")).containsExactly("session=xyz");
	}

	@Test
	void theWsUpgradeRequestCarriesTheCookiesToo() throws Exception {
		try (HandRolledWsServer ws = new HandRolledWsServer(null)) {
			start(ws.port());
			this.server.enqueue(new MockResponse.Builder().addHeader("Set-Cookie", "session=abc; Path=/").build());
			transaction("login");
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, WAIT);
			assertThat(ScriptedPeer.header(ws.requests.get(0), "cookie")).isEqualTo("session=abc");
		}
	}

}
