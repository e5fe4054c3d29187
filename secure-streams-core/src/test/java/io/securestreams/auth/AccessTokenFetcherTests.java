package io.securestreams.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access token exchange of reference §10.4 against a local MockWebServer playing the token
 * endpoint (and, for the last hop, the API that needs the token).
 */
class AccessTokenFetcherTests {

	private static final String REFRESH = "grant_type=refresh_token&refresh_token=Atzr|device-secret";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private final SystemBlobs blobs = new SystemBlobs();

	private SecureStreams streams;

	private AccessTokenFetcher fetcher() {
		return fetcher((b) -> {
		});
	}

	private AccessTokenFetcher fetcher(java.util.function.Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		keys.accept(TestPolicies.h1(fragment.streamType("api_amazon_com_auth"), "127.0.0.1", this.server.getPort(),
				"POST", "/auth/o2/token")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.HTTP_WWW_FORM_URLENCODED, true));
		TestPolicies.h1(fragment.streamType("api"), "127.0.0.1", this.server.getPort(), "GET", "/v1/things")
			.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
			.set(StreamTypeKey.HTTP_AUTH_PREAMBLE, "Bearer ");
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1)
			.systemBlobs(this.blobs));
		return this.resources.closing(new AccessTokenFetcher(this.streams));
	}

	private void answer(int code, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
			.body(body).build());
	}

	@Test
	void refreshPayloadIsExchangedForATokenThatAuthorizesLaterRequests() throws Exception {
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|first\",\"token_type\":\"bearer\"}");
		AccessTokenResult result = fetcher.fetch();
		assertThat(result.obtained()).isTrue();
		assertThat(result.expiresIn()).isNull();
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|first");
		RecordedRequest exchange = this.server.takeRequest();
		assertThat(exchange.getMethod()).isEqualTo("POST");
		assertThat(exchange.getTarget()).isEqualTo("/auth/o2/token");
		assertThat(exchange.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(REFRESH.length()));
		assertThat(exchange.getBody().utf8()).isEqualTo(REFRESH);
		assertThat(this.streams.streams()).isEmpty();
		this.server.enqueue(new MockResponse.Builder().body("[]").build());
		RecordingHandler api = new RecordingHandler();
		this.streams.create("api", api).requestTx();
		api.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(this.server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer Atza|first");
	}

	@Test
	void tokenWithALifetimeIsRenewedBeforeItExpires() throws Exception {
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|first\",\"expires_in\":1}");
		answer(200, "{\"access_token\":\"Atza|second\",\"expires_in\":3600}");
		assertThat(fetcher.fetch().expiresIn()).isEqualTo(Duration.ofSeconds(1));
		this.server.takeRequest();
		RecordedRequest renewal = this.server.takeRequest(5, TimeUnit.SECONDS);
		assertThat(renewal).isNotNull();
		assertThat(renewal.getBody().utf8()).isEqualTo(REFRESH);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> "Atza|second".equals(this.blobs.getString(SystemBlobs.Type.AUTH, 0)));
	}

	@Test
	void aRetriedExchangeSendsTheWholePayloadAgain() throws Exception {
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher((b) -> b.set(StreamTypeKey.RETRY, "fast"));
		this.server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "0").build());
		answer(200, "{\"access_token\":\"Atza|after-retry\"}");
		assertThat(fetcher.fetch().obtained()).isTrue();
		for (int i = 0; i < 2; i++) {
			RecordedRequest request = this.server.takeRequest();
			assertThat(request.getHeaders().get("Content-Length")).isEqualTo(String.valueOf(REFRESH.length()));
			assertThat(request.getBody().utf8()).isEqualTo(REFRESH);
		}
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|after-retry");
	}

	@Test
	void closingStopsTheRenewals() throws Exception {
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|first\",\"expires_in\":2}");
		answer(200, "{\"access_token\":\"Atza|second\",\"expires_in\":2}");
		fetcher.fetch();
		fetcher.close();
		this.server.takeRequest();
		// The renewal was due after 1.8 s.
		assertThat(this.server.takeRequest(3, TimeUnit.SECONDS)).isNull();
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|first");
	}

	@Test
	void closingTheContextStopsTheRenewalsOfAFetcherLeftOpen() throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|first\",\"expires_in\":2}");
		assertThat(fetcher.fetch().obtained()).isTrue();
		this.streams.close();
		// The renewal was due after 1.8 s: a fetcher that tried it would log the shut-down context
		// as a failed fetch, and try again until the token expired.
		Awaitility.await().during(Duration.ofMillis(2_500)).atMost(Duration.ofMillis(2_500).multipliedBy(3))
			.untilAsserted(() -> {
				assertThat(logs.messages()).noneMatch((message) -> message.contains("Access token fetch"));
				assertThat(this.server.getRequestCount()).isEqualTo(1);
			});
		assertThat(fetcher.fetch().error()).contains("closed");
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void aFailedFirstFetchIsTriedAgainUntilATokenComes() throws Exception {
		// Before, only renewals were tried again: a start-up fetch made while the network was down
		// left the application without a token for good.
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(503).build());
		this.server.enqueue(new MockResponse.Builder().code(503).build());
		answer(200, "{\"access_token\":\"Atza|at-last\",\"expires_in\":3600}");
		assertThat(fetcher.fetch().obtained()).isFalse();
		// After 1 s, then 2 s.
		Awaitility.await().atMost(Duration.ofSeconds(15))
			.until(() -> "Atza|at-last".equals(this.blobs.getString(SystemBlobs.Type.AUTH, 0)));
		assertThat(this.server.getRequestCount()).isEqualTo(3);
	}

	@Test
	void aFailedFirstFetchIsNotTriedAgainOnceTheFetcherIsClosed() throws Exception {
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(503).build());
		answer(200, "{\"access_token\":\"Atza|unwanted\"}");
		assertThat(fetcher.fetch().obtained()).isFalse();
		fetcher.close();
		this.server.takeRequest();
		// The next try was due after 1 s.
		assertThat(this.server.takeRequest(2500, TimeUnit.MILLISECONDS)).isNull();
		assertThat(this.blobs.get(SystemBlobs.Type.AUTH, 0)).isNull();
	}

	@Test
	void rejectedExchangeKeepsTheTokenAndSaysWhy() {
		this.blobs.set(SystemBlobs.Type.AUTH, 0, "Atza|old".getBytes(StandardCharsets.UTF_8));
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		answer(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token expired\"}");
		AccessTokenResult result = fetcher.fetch();
		assertThat(result.obtained()).isFalse();
		assertThat(result.error()).contains("rejected", "invalid_grant");
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|old");
	}

	@Test
	void answerWithoutATokenOrNotJsonIsAFailure() {
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "<html>maintenance</html>");
		answer(200, "{\"token_type\":\"bearer\"}");
		assertThat(fetcher.fetch().error()).contains("not JSON");
		assertThat(fetcher.fetch().error()).contains("no access_token");
		assertThat(this.blobs.get(SystemBlobs.Type.AUTH, 0)).isNull();
	}

	@Test
	void withoutARefreshPayloadNothingIsSent() {
		AccessTokenFetcher fetcher = fetcher();
		assertThat(fetcher.isConfigured()).isFalse();
		assertThat(fetcher.fetch().error()).contains("slot 1");
		assertThat(this.server.getRequestCount()).isZero();
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		assertThat(fetcher.isConfigured()).isTrue();
	}

}
