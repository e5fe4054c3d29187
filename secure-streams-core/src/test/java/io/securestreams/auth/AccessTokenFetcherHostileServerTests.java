package io.securestreams.auth;

import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStreams;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The access token exchange against token endpoints that misbehave: answers that are too large,
 * never end, are cut short, are no token or give a nonsensical lifetime, redirects, and callers
 * that hammer or outlive the fetcher. Whatever happens, the token stored before stays, the result
 * says what was wrong, and nothing keeps running after close.
 */
class AccessTokenFetcherHostileServerTests {

	private static final String REFRESH = "grant_type=refresh_token&refresh_token=Atzr|device-secret";

	private static final String OLD_TOKEN = "Atza|old";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private final SystemBlobs blobs = new SystemBlobs();

	private SecureStreams streams;

	private AccessTokenFetcher fetcher() {
		return this.resources.closing(unmanagedFetcher(this.server.getPort(), Duration.ofSeconds(10)));
	}

	// A fetcher with a previous token in slot 0, not closed by the test resources.
	private AccessTokenFetcher unmanagedFetcher(int port, Duration timeout) {
		this.blobs.set(SystemBlobs.Type.AUTH, 0, OLD_TOKEN.getBytes(StandardCharsets.UTF_8));
		this.blobs.set(SystemBlobs.Type.AUTH, 1, REFRESH.getBytes(StandardCharsets.UTF_8));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType(AccessTokenFetcher.DEFAULT_STREAM_TYPE), "127.0.0.1", port, "POST",
				"/auth/o2/token")
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.HTTP_WWW_FORM_URLENCODED, true);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1)
			.systemBlobs(this.blobs));
		return new AccessTokenFetcher(this.streams, AccessTokenFetcher.DEFAULT_STREAM_TYPE, timeout);
	}

	private AccessTokenFetcher peerFetcher(ScriptedPeer.Script script) throws Exception {
		ScriptedPeer peer = this.resources.closing(new ScriptedPeer(script));
		return this.resources.closing(unmanagedFetcher(peer.port(), Duration.ofSeconds(1)));
	}

	private void answer(int code, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
			.body(body).build());
	}

	private void assertFailedKeepingTheOldToken(AccessTokenResult result, String... reason) {
		assertThat(result.obtained()).isFalse();
		assertThat(result.expiresIn()).isNull();
		assertThat(result.error()).isNotBlank();
		if (reason.length > 0) {
			assertThat(result.error()).contains(reason);
		}
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo(OLD_TOKEN);
		assertThat(this.streams.streams()).isEmpty();
	}

	@Test
	void answerOfMegabytesIsRefusedOnceItPassesTheLimit() {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}");
		assertFailedKeepingTheOldToken(fetcher.fetch(), "larger than " + TokenExchangeHandler.MAX_ANSWER);
	}

	@Test
	void answerThatNeverEndsIsRefusedOnceItPassesTheLimit() throws Exception {
		AccessTokenFetcher fetcher = peerFetcher((head, in, out) -> {
			out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] chunk = ("1000\r\n" + "x".repeat(0x1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
			while (true) {
				out.write(chunk);
			}
		});
		assertFailedKeepingTheOldToken(fetcher.fetch(), "larger than " + TokenExchangeHandler.MAX_ANSWER);
	}

	@Test
	void answerTrickledSlowerThanTheTimeoutEndsAtTheTimeout() throws Exception {
		AccessTokenFetcher fetcher = peerFetcher((head, in, out) -> {
			out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			trickle(out, "1\r\n \r\n");
		});
		assertFailedKeepingTheOldToken(fetcher.fetch(), "TIMEOUT");
	}

	@Test
	void answerCutShortByTheServerIsAFailure() throws Exception {
		AccessTokenFetcher fetcher = peerFetcher((head, in, out) -> {
			out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"access_token\":\"Atza|cut")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			throw new IllegalStateException("hang up mid-body");
		});
		assertFailedKeepingTheOldToken(fetcher.fetch(), "DISCONNECTED");
	}

	@Test
	void chunkedAnswerCutShortByTheServerIsAFailure() throws Exception {
		AccessTokenFetcher fetcher = peerFetcher((head, in, out) -> {
			out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n17\r\n{\"access_token\":\"Atza|x\"}\r\n"
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			throw new IllegalStateException("hang up before the last chunk");
		});
		assertFailedKeepingTheOldToken(fetcher.fetch(), "DISCONNECTED");
	}

	@Test
	void okWithoutABodyIsAFailure() {
		AccessTokenFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(200).build());
		assertFailedKeepingTheOldToken(fetcher.fetch(), "no access_token");
	}

	@ParameterizedTest
	@ValueSource(strings = { "null", "[]", "42", "\"Atza|bare\"", "{\"access_token\":\"Atza|cut\"",
			"{\"access_token\":42}",
			"{\"access_token\":\"\"}", "{\"access_token\":null}", "{\"access_token\":[\"Atza|x\"]}",
			"{\"access_token\":{\"value\":\"Atza|x\"}}", "{\"access_token\":\"Atza|a\\r\\nX-Injected: 1\"}" })
	void answerWithoutAUsableTokenIsAFailure(String body) {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, body);
		AccessTokenResult result = fetcher.fetch();
		assertFailedKeepingTheOldToken(result);
		assertThat(result.error()).containsAnyOf("not JSON", "access_token");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "-5", "0.5", "\"soon\"", "true", "{\"seconds\":60}", "\"-1\"" })
	void answerWithANonsensicalLifetimeIsAFailure(String expiresIn) {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|new\",\"expires_in\":" + expiresIn + "}");
		assertFailedKeepingTheOldToken(fetcher.fetch(), "expires_in");
	}

	@Test
	void lifetimeGivenAsTextIsUsed() {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|new\",\"expires_in\":\"3600\"}");
		AccessTokenResult result = fetcher.fetch();
		assertThat(result.obtained()).isTrue();
		assertThat(result.expiresIn()).isEqualTo(Duration.ofHours(1));
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|new");
	}

	@ParameterizedTest
	@ValueSource(strings = { "9223372036854775807", "99999999999999999999999", "1e30", "1e400", "315360000" })
	void enormousLifetimeIsCappedSoTheRenewalCannotOverflow(String expiresIn) {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|new\",\"expires_in\":" + expiresIn + "}");
		AccessTokenResult result = fetcher.fetch();
		assertThat(result.obtained()).isTrue();
		assertThat(result.expiresIn()).isEqualTo(Duration.ofDays(365));
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|new");
	}

	@Test
	void zeroLifetimeAfterAGoodTokenDoesNotRenewInALoop() throws Exception {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|good\",\"expires_in\":3600}");
		for (int i = 0; i < 5; i++) {
			answer(200, "{\"access_token\":\"Atza|stale\",\"expires_in\":0}");
		}
		assertThat(fetcher.fetch().obtained()).isTrue();
		assertThat(fetcher.fetch().error()).contains("expires_in");
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|good");
		this.server.takeRequest();
		this.server.takeRequest();
		// A failed renewal is tried again after a quarter of what is left, at most 30 s later.
		assertThat(this.server.takeRequest(2, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void aTokenWithoutALifetimeCancelsTheRenewalOfTheTokenItReplaced() {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|short\",\"expires_in\":2}");
		answer(200, "{\"access_token\":\"Atza|lasting\"}");
		answer(200, "{\"access_token\":\"Atza|unasked\",\"expires_in\":3600}");
		assertThat(fetcher.fetch().expiresIn()).isEqualTo(Duration.ofSeconds(2));
		assertThat(fetcher.fetch().expiresIn()).isNull();
		// The first token's renewal was due after 1.8 s; the token now stored has none.
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
			.until(() -> this.server.getRequestCount() == 2);
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|lasting");
	}

	@Test
	void renewalsFailingUntilTheTokenExpiredGoOnUntilOneSucceeds() throws Exception {
		AccessTokenFetcher fetcher = fetcher();
		answer(200, "{\"access_token\":\"Atza|short\",\"expires_in\":1}");
		// The renewal at 0.9 s and its retry 1 s later, after the token expired, both fail.
		answer(500, "{}");
		answer(500, "{}");
		answer(200, "{\"access_token\":\"Atza|after-outage\",\"expires_in\":3600}");
		assertThat(fetcher.fetch().obtained()).isTrue();
		await().atMost(Duration.ofSeconds(15))
			.until(() -> "Atza|after-outage".equals(this.blobs.getString(SystemBlobs.Type.AUTH, 0)));
		assertThat(this.server.getRequestCount()).isEqualTo(4);
	}

	@Test
	void redirectIsAFailureNamingTheStatusAndIsNotFollowedWithTheRefreshPayload() {
		AccessTokenFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/elsewhere").build());
		answer(200, "{\"access_token\":\"Atza|elsewhere\"}");
		assertFailedKeepingTheOldToken(fetcher.fetch(), "302");
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void concurrentFetchesShareOneExchange() throws Exception {
		AccessTokenFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body("{\"access_token\":\"Atza|shared\",\"expires_in\":3600}")
			.headersDelay(500, TimeUnit.MILLISECONDS)
			.build());
		CountDownLatch go = new CountDownLatch(1);
		List<CompletableFuture<AccessTokenResult>> results = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			results.add(CompletableFuture.supplyAsync(() -> {
				awaitQuietly(go);
				return fetcher.fetch();
			}));
		}
		go.countDown();
		for (CompletableFuture<AccessTokenResult> result : results) {
			assertThat(result.get(10, TimeUnit.SECONDS))
				.isEqualTo(new AccessTokenResult(true, Duration.ofHours(1), null));
		}
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|shared");
	}

	@Test
	void fetchAfterCloseIsRefusedWithoutAnExchange() {
		AccessTokenFetcher fetcher = fetcher();
		fetcher.close();
		assertFailedKeepingTheOldToken(fetcher.fetch(), "closed");
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void closeDuringAFetchLetsItCompleteButSchedulesNoRenewal() throws Exception {
		AccessTokenFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body("{\"access_token\":\"Atza|last\",\"expires_in\":1}")
			.headersDelay(300, TimeUnit.MILLISECONDS)
			.build());
		answer(200, "{\"access_token\":\"Atza|renewed\",\"expires_in\":1}");
		CompletableFuture<AccessTokenResult> inFlight = fetcher.fetchAsync();
		this.server.takeRequest();
		fetcher.close();
		assertThat(inFlight.get(10, TimeUnit.SECONDS).obtained()).isTrue();
		// The renewal would have been due after 0.9 s.
		assertThat(this.server.takeRequest(2, TimeUnit.SECONDS)).isNull();
		assertThat(this.blobs.getString(SystemBlobs.Type.AUTH, 0)).isEqualTo("Atza|last");
	}

	@Test
	void closedFetcherLeavesNoRenewalTimerHoldingIt() {
		AccessTokenFetcher fetcher = unmanagedFetcher(this.server.getPort(), Duration.ofSeconds(10));
		answer(200, "{\"access_token\":\"Atza|long\",\"expires_in\":3600}");
		assertThat(fetcher.fetch().obtained()).isTrue();
		fetcher.close();
		WeakReference<AccessTokenFetcher> closed = new WeakReference<>(fetcher);
		fetcher = null;
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			System.gc();
			return closed.get() == null;
		});
	}

	private static void trickle(OutputStream out, String piece) throws Exception {
		while (true) {
			out.write(piece.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			Thread.sleep(100);
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
