package io.securestreams.policy.fetch;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.fetch.PolicyFetchResult.Outcome;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Remote policy fetch (reference §9.3) against a local MockWebServer: only a complete, valid,
 * acknowledged policy replaces the running one.
 */
class PolicyFetcherTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams streams;

	private PolicyFetcher fetcher(int port, Duration timeout, int maxBytes) {
		Policy policy = TestPolicies.with("fetch_policy",
				(type) -> TestPolicies.h1(type, "127.0.0.1", port, "GET", "/policy.json"));
		this.streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(1));
		return new PolicyFetcher(this.streams, PolicyFetcher.DEFAULT_STREAM_TYPE, timeout, maxBytes);
	}

	private PolicyFetcher fetcher() {
		return fetcher(this.server.getPort(), Duration.ofSeconds(10), PolicyFetcher.DEFAULT_MAX_BYTES);
	}

	private static String newPolicy(int port) {
		return """
				{
				  "release": "fetched-2",
				  "retry": [{ "default": { "backoff": [100], "conceal": 2 } }],
				  "s": [
				    { "fetch_policy": { "endpoint": "127.0.0.1", "port": %d, "protocol": "h1",
				        "http_method": "GET", "http_url": "/policy.json", "opportunistic": true, "retry": "default" } },
				    { "telemetry": { "endpoint": "127.0.0.1", "port": %d, "protocol": "h1",
				        "http_method": "POST", "http_url": "/telemetry", "opportunistic": true } }
				  ]
				}
				""".formatted(port, port);
	}

	private void serve(int code, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code).body(body).build());
	}

	@Test
	void validPolicyReplacesTheRunningOneAtomically() throws Exception {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		serve(200, newPolicy(this.server.getPort()));
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.UPDATED);
		assertThat(result.errors()).isEmpty();
		assertThat(result.version()).isEqualTo(before.version() + 1);
		assertThat(result.hash()).isNotEqualTo(before.hash()).isEqualTo(this.streams.activePolicy().hash());
		assertThat(this.streams.policy().release()).isEqualTo("fetched-2");
		assertThat(this.streams.policy().streamTypes()).containsOnlyKeys("fetch_policy", "telemetry");
		assertThat(this.server.takeRequest().getUrl().encodedPath()).isEqualTo("/policy.json");
	}

	/**
	 * A context that is shut down takes no policy: neither a fetch nor a direct change is
	 * reported as made, and the last active policy stays what the context reports.
	 */
	@Test
	void aClosedContextTakesNoPolicy() throws Exception {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		Policy fetched = new PolicyParser().parse("fetched", newPolicy(this.server.getPort())
			.getBytes(StandardCharsets.UTF_8)).policy();
		this.streams.close();
		assertThat(fetcher.fetch().outcome()).isEqualTo(Outcome.FAILED);
		assertThatExceptionOfType(SecureStreamsException.class).isThrownBy(() -> this.streams.replacePolicy(fetched))
			.withMessageContaining("shut down");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> this.streams.applyOverlay("late", "{\"s\": []}"));
		assertThatExceptionOfType(SecureStreamsException.class).isThrownBy(this.streams::resetOverlays);
		assertThat(this.streams.activePolicy()).isEqualTo(before);
	}

	/**
	 * The new policy is announced on the system message bus before the fetch completes; a
	 * participant that fetches again when told, in the announcing thread, starts a new fetch
	 * instead of waiting for the one that waits for it.
	 */
	@Test
	void aParticipantThatFetchesAgainWhenToldOfTheNewPolicyDoesNotHang() throws Exception {
		PolicyFetcher fetcher = fetcher();
		serve(200, newPolicy(this.server.getPort()));
		serve(200, newPolicy(this.server.getPort()));
		List<Outcome> again = new CopyOnWriteArrayList<>();
		AtomicBoolean first = new AtomicBoolean(true);
		this.streams.smd().subscribe(SmdClass.SYSTEM_STATE, Runnable::run, (message) -> {
			if (message.text().contains("\"policy\":\"updated\"") && first.getAndSet(false)) {
				again.add(fetcher.fetch().outcome());
			}
		});
		assertThat(fetcher.fetchAsync().get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.UPDATED);
		assertThat(again).containsExactly(Outcome.UPDATED);
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void fetchedPolicyCanFetchAgain() {
		PolicyFetcher fetcher = fetcher();
		serve(200, newPolicy(this.server.getPort()));
		serve(200, newPolicy(this.server.getPort()).replace("fetched-2", "fetched-3"));
		assertThat(fetcher.fetch().updated()).isTrue();
		PolicyFetchResult second = fetcher.fetch();
		assertThat(second.updated()).isTrue();
		assertThat(this.streams.policy().release()).isEqualTo("fetched-3");
		assertThat(this.streams.streams()).isEmpty();
	}

	@Test
	void invalidJsonLeavesThePolicyUntouched() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		serve(200, "{ \"release\": \"broken\", \"s\": [ ");
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.INVALID_POLICY);
		assertThat(result.errors()).isNotEmpty().allSatisfy((error) -> assertThat(error).startsWith("<fetch_policy>:"));
		assertThat(result.version()).isEqualTo(before.version());
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void invalidPolicyReportsEveryProblemWithItsLocation() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		serve(200, """
				{
				  "s": [
				    { "a": { "endpoint": "x", "port": 70000, "protocol": "h1" } },
				    { "b": { "endpoint": "x", "port": 80, "retry": "missing" } }
				  ]
				}
				""");
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.INVALID_POLICY);
		assertThat(result.errors()).hasSize(2);
		assertThat(result.errors().get(0)).startsWith("<fetch_policy>:3:").contains("port");
		assertThat(result.errors().get(1)).startsWith("<fetch_policy>:4:").contains("missing");
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void emptyBodyIsAnInvalidPolicy() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		serve(200, "");
		PolicyFetchResult result = fetcher.fetch();
		// The transaction ended normally with nothing in it: the policy is what is wrong.
		assertThat(result.outcome()).isEqualTo(Outcome.INVALID_POLICY);
		assertThat(result.errors()).containsExactly("<fetch_policy>:1:1: empty document; expected a policy object");
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void aBodyCutOffMidwayLeavesThePolicyUntouched() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		// A valid policy whose connection drops in the middle of its body: what arrived must not be
		// taken, even where its first part is well-formed JSON so far.
		this.server.enqueue(new MockResponse.Builder().code(200)
			.body(newPolicy(this.server.getPort()))
			.onResponseBody(SocketEffect.ShutdownConnection.INSTANCE)
			.build());
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
		assertThat(result.errors()).singleElement().asString().contains("connection dropped after");
		assertThat(this.streams.activePolicy()).isSameAs(before);
		assertThat(this.streams.policy().streamType("telemetry")).isNull();
	}

	@Test
	void nackLeavesThePolicyUntouched() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		serve(404, newPolicy(this.server.getPort()));
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.NACK);
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void unreachableServerEndsWithAllRetriesFailed() throws Exception {
		MockWebServer closed = new MockWebServer();
		closed.start(InetAddress.getByName("127.0.0.1"), 0);
		int port = closed.getPort();
		closed.close();
		PolicyFetcher fetcher = fetcher(port, Duration.ofSeconds(10), PolicyFetcher.DEFAULT_MAX_BYTES);
		ActivePolicy before = this.streams.activePolicy();
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.ALL_RETRIES_FAILED);
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void slowServerEndsWithTimeout() {
		PolicyFetcher fetcher = fetcher(this.server.getPort(), Duration.ofMillis(300), PolicyFetcher.DEFAULT_MAX_BYTES);
		ActivePolicy before = this.streams.activePolicy();
		this.server.enqueue(new MockResponse.Builder().code(200)
			.headersDelay(3, TimeUnit.SECONDS)
			.body(newPolicy(this.server.getPort()))
			.build());
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.TIMEOUT);
		assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(3));
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void oversizedPolicyIsRefused() {
		PolicyFetcher fetcher = fetcher(this.server.getPort(), Duration.ofSeconds(10), 100);
		ActivePolicy before = this.streams.activePolicy();
		serve(200, newPolicy(this.server.getPort()));
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
		assertThat(result.errors()).singleElement().asString().contains("larger than 100 bytes");
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

	@Test
	void policyWithoutTheFetchStreamTypeIsNotConfigured() {
		Policy policy = TestPolicies.with("other", (type) -> type.set(StreamTypeKey.ENDPOINT, "127.0.0.1"));
		this.streams = this.resources.closing(SecureStreams.builder(policy).eventLoopThreads(1).build());
		PolicyFetcher fetcher = new PolicyFetcher(this.streams);
		assertThat(fetcher.isConfigured()).isFalse();
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.NOT_CONFIGURED);
		assertThat(result.errors()).singleElement().asString().contains("fetch_policy");
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void concurrentRequestsShareOneFetch() {
		PolicyFetcher fetcher = fetcher();
		this.server.enqueue(new MockResponse.Builder().code(200)
			.headersDelay(200, TimeUnit.MILLISECONDS)
			.body(newPolicy(this.server.getPort()))
			.build());
		CompletableFuture<PolicyFetchResult> first = fetcher.fetchAsync();
		CompletableFuture<PolicyFetchResult> second = fetcher.fetchAsync();
		assertThat(second).isSameAs(first);
		assertThat(first.join().updated()).isTrue();
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(List.of(this.streams.policy().release())).containsExactly("fetched-2");
	}

}
