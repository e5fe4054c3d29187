package io.securestreams.policy.fetch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.fetch.PolicyFetchResult.Outcome;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fetch stops being the one in flight once its body is in, so a fetch asked for meanwhile
 * starts afresh; the policy the later fetch got is the one in force at the end, whichever of the
 * two is parsed first.
 */
class PolicyFetchOrderTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	// A valid policy with many streamtypes besides the fetch streamtype, slow to parse.
	private String policy(String release, int streamTypes) {
		StringBuilder json = new StringBuilder("{ \"release\": \"" + release + "\", \"s\": [ { \"fetch_policy\": {"
				+ " \"endpoint\": \"127.0.0.1\", \"port\": " + this.server.getPort() + ", \"protocol\": \"h1\","
				+ " \"http_method\": \"GET\", \"http_url\": \"/policy.json\", \"opportunistic\": true } }");
		for (int i = 0; i < streamTypes; i++) {
			json.append(", { \"t").append(i).append("\": { \"endpoint\": \"h").append(i)
				.append(".example\", \"port\": 443, \"protocol\": \"h1\",")
				.append(" \"http_method\": \"POST\", \"http_url\": \"/x\" } }");
		}
		return json.append(" ] }").toString();
	}

	@Test
	void aPolicyServedEarlierNeverOverwritesTheOneALaterFetchGot() {
		Policy policy = TestPolicies.with("fetch_policy",
				(type) -> TestPolicies.h1(type, "127.0.0.1", this.server.getPort(), "GET", "/policy.json"));
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).eventLoopThreads(1));
		PolicyFetcher fetcher = new PolicyFetcher(streams);
		this.server.enqueue(new MockResponse.Builder().code(200).body(policy("earlier", 8000)).build());
		this.server.enqueue(new MockResponse.Builder().code(200).body(policy("later", 0)).build());
		CapturedLogs logs = new CapturedLogs(PolicyFetcher.class.getName());
		CompletableFuture<PolicyFetchResult> first = fetcher.fetchAsync();
		// The first fetch lets go once its body is in: the next call starts the second.
		AtomicReference<CompletableFuture<PolicyFetchResult>> second = new AtomicReference<>();
		await().pollInterval(Duration.ofMillis(1)).until(() -> {
			CompletableFuture<PolicyFetchResult> next = fetcher.fetchAsync();
			second.set(next);
			return next != first;
		});
		PolicyFetchResult later = second.get().join();
		PolicyFetchResult earlier = first.join();
		assertThat(later.outcome()).isEqualTo(Outcome.UPDATED);
		assertThat(earlier.outcome()).isIn(Outcome.UPDATED, Outcome.SUPERSEDED);
		assertThat(streams.policy().release()).isEqualTo("later");
		if (earlier.outcome() == Outcome.SUPERSEDED) {
			assertThat(earlier.updated()).isFalse();
			assertThat(earlier.errors()).singleElement().asString().contains("was dropped");
			assertThat(earlier.version()).isEqualTo(streams.activePolicy().version());
			// Not a failure: the policy asked for last is running.
			assertThat(logs.await("was overtaken by a later one")).contains("is running");
			assertThat(logs.messages()).noneMatch((line) -> line.contains("failed"));
		}
		logs.close();
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

}
