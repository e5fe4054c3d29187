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
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Remote policy fetch edge cases: a fetched policy without the fetch streamtype, fetches over an
 * applied overlay, a body that is not JSON and one that never ends within the bound.
 */
class PolicyFetcherEdgeTests {

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

	private void serve(String body) {
		this.server.enqueue(new MockResponse.Builder().code(200).body(body).build());
	}

	private static final String WITHOUT_FETCH = """
			{ "release": "no-fetch", "s": [ { "telemetry": { "endpoint": "127.0.0.1", "port": 9,
			    "protocol": "h1", "http_method": "POST", "http_url": "/t" } } ] }
			""";

	@Test
	void aFetchedPolicyWithoutTheFetchStreamTypeIsTakenAndTheNextFetchIsNotConfigured() {
		PolicyFetcher fetcher = fetcher();
		serve(WITHOUT_FETCH);
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.UPDATED);
		assertThat(this.streams.policy().release()).isEqualTo("no-fetch");
		assertThat(this.streams.streams()).isEmpty();
		assertThat(fetcher.isConfigured()).isFalse();
		assertThat(fetcher.fetch().outcome()).isEqualTo(Outcome.NOT_CONFIGURED);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void aValidFetchDropsTheOverlaysAndAnInvalidOneKeepsThem() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy overlaid = this.streams.applyOverlay("ov", "{\"release\": \"overlaid\"}");
		serve("<html><body>not a policy</body></html>");
		PolicyFetchResult bad = fetcher.fetch();
		assertThat(bad.outcome()).isEqualTo(Outcome.INVALID_POLICY);
		assertThat(bad.errors()).isNotEmpty().allSatisfy((error) -> assertThat(error).startsWith("<fetch_policy>:1:"));
		assertThat(this.streams.activePolicy()).isSameAs(overlaid);
		assertThat(this.streams.policy().release()).isEqualTo("overlaid");
		serve(WITHOUT_FETCH);
		assertThat(fetcher.fetch().updated()).isTrue();
		assertThat(this.streams.activePolicy().overlaySources()).isEmpty();
		assertThat(this.streams.policy().release()).isEqualTo("no-fetch");
	}

	@Test
	void aChunkedBodyBeyondTheDefaultBoundIsRefused() {
		PolicyFetcher fetcher = fetcher();
		ActivePolicy before = this.streams.activePolicy();
		Buffer body = new Buffer();
		body.writeUtf8("{\"release\": \"");
		body.writeUtf8("x".repeat(PolicyFetcher.DEFAULT_MAX_BYTES));
		body.writeUtf8("\"}");
		this.server.enqueue(new MockResponse.Builder().code(200).chunkedBody(body.readUtf8(), 16384).build());
		PolicyFetchResult result = fetcher.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
		assertThat(result.errors()).singleElement().asString().contains("larger than 4194304 bytes");
		assertThat(this.streams.activePolicy()).isSameAs(before);
	}

}
