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
 * A policy server that answers with another status than success: the fetch's error says which
 * status it was, since that is what the operator has to fix, and the running policy stays.
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
	 * server answered 503, not that no connection could be made.
	 */
	@Test
	void retriesSpentOnUnavailableAnswersSayTheServerAnswered() {
		PolicyFetchResult result = fetchAnswered(503, 4);
		assertThat(result.outcome()).isEqualTo(Outcome.ALL_RETRIES_FAILED);
		assertThat(result.errors()).singleElement()
			.asString()
			.contains("http 503")
			.doesNotContain("no connection could be made");
		assertThat(this.server.getRequestCount()).isEqualTo(4);
	}

}
