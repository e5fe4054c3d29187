package io.securestreams.policy.fetch;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.fetch.PolicyFetchResult.Outcome;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy server that answers with another status than success, or with no http at all: the
 * fetch's error says which status it was, since that is what the operator has to fix, and the
 * running policy stays.
 */
class PolicyFetchStatusTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams streams;

	private PolicyFetcher fetcher() {
		Policy policy = TestPolicies.with("fetch_policy",
				(type) -> TestPolicies.h1(type, "127.0.0.1", this.server.getPort(), "GET", "/policy.json"));
		this.streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(1));
		return new PolicyFetcher(this.streams, PolicyFetcher.DEFAULT_STREAM_TYPE, Duration.ofSeconds(10),
				PolicyFetcher.DEFAULT_MAX_BYTES);
	}

	private PolicyFetchResult fetchAnswered(int status, int times) {
		PolicyFetcher fetcher = fetcher();
		for (int i = 0; i < times; i++) {
			this.server.enqueue(new MockResponse.Builder().code(status).body("{\"s\": []}").build());
		}
		ActivePolicy before = this.streams.activePolicy();
		PolicyFetchResult result = fetcher.fetch();
		assertThat(this.streams.activePolicy()).isSameAs(before);
		return result;
	}

	@Test
	void aRejectionNamesTheStatusTheServerAnswered() {
		PolicyFetchResult result = fetchAnswered(500, 1);
		assertThat(result.outcome()).isEqualTo(Outcome.NACK);
		assertThat(result.errors()).singleElement().asString().contains("http 500");
	}

	@Test
	void anUnfollowedRedirectNamesItsStatus() {
		PolicyFetchResult result = fetchAnswered(302, 1);
		assertThat(result.outcome()).isEqualTo(Outcome.NACK);
		assertThat(result.errors()).singleElement().asString().contains("http 302");
	}

	/**
	 * A 503 is a failed attempt that is retried: once the retries are spent, the error says the
	 * server answered 503, not that no http answer came.
	 */
	@Test
	void retriesSpentOnUnavailableAnswersSayTheServerAnswered() {
		PolicyFetchResult result = fetchAnswered(503, 4);
		assertThat(result.outcome()).isEqualTo(Outcome.ALL_RETRIES_FAILED);
		assertThat(result.errors()).singleElement()
			.asString()
			.contains("http 503")
			.doesNotContain("no attempt got an http answer");
		assertThat(this.server.getRequestCount()).isEqualTo(4);
	}

	/**
	 * A server that takes each connection and answers with no http at all: the retries were
	 * spent on answers that were not http, which the error must not call connections that could
	 * not be made (the operator would look for the server being down, not for what it sends).
	 */
	@Test
	void retriesSpentOnAnswersThatAreNotHttpDoNotSayNoConnectionWasMade() {
		for (int i = 0; i < 4; i++) {
			this.server.enqueue(new MockResponse.Builder().status("NOT HTTP AT ALL").body("garbage").build());
		}
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.ALL_RETRIES_FAILED);
		assertThat(result.errors()).singleElement()
			.asString()
			.doesNotContain("no connection could be made")
			.contains("no attempt got an http answer");
		assertThat(this.server.getRequestCount()).isEqualTo(4);
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

}
