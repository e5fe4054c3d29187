package io.securestreams.policy.fetch;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
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
 * A fetched policy that parses but that the context refuses, because it makes two streamtypes
 * sharing an MQTT connection disagree: the error is located in the fetched document, as the
 * parser's own errors are, and the running policy stays.
 */
class PolicyFetchLocatedConflictTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@Test
	void aConflictTheFetchedPolicyIntroducesIsLocatedInIt() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("fetch_policy"), "127.0.0.1", this.server.getPort(), "GET", "/p.json");
		for (String name : new String[] { "alpha", "beta" }) {
			fragment.streamType(name)
				.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
				.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
				.set(StreamTypeKey.PORT, 1883)
				.set(StreamTypeKey.MQTT_KEEP_ALIVE, 60);
		}
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		this.server.enqueue(new MockResponse.Builder().body("""
				{ "release": "2", "product": "p", "schema-version": 1,
				  "s": [
				    { "alpha": { "protocol": "mqtt", "endpoint": "127.0.0.1", "port": 1883,
				                 "mqtt_keep_alive": 60 } },
				    { "beta": { "protocol": "mqtt", "endpoint": "127.0.0.1", "port": 1883,
				                "mqtt_keep_alive": 30 } } ] }
				""").build());
		ActivePolicy before = streams.activePolicy();
		PolicyFetchResult result = new PolicyFetcher(streams, PolicyFetcher.DEFAULT_STREAM_TYPE,
				Duration.ofSeconds(10), PolicyFetcher.DEFAULT_MAX_BYTES)
			.fetch();
		assertThat(result.outcome()).isEqualTo(Outcome.INVALID_POLICY);
		assertThat(result.errors()).singleElement()
			.asString()
			.startsWith("<fetch_policy>:5:7: s[1].beta: ")
			.contains("streamtypes 'alpha' and 'beta' share one MQTT connection");
		assertThat(streams.activePolicy()).isSameAs(before);
	}

}
