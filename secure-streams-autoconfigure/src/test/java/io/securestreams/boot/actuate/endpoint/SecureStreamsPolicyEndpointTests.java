package io.securestreams.boot.actuate.endpoint;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.securestreams.SecureStreams;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint.ErrorsDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint.FetchDescriptor;
import io.securestreams.boot.actuate.endpoint.SecureStreamsPolicyEndpoint.PolicyDescriptor;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.fetch.PolicyFetcher;
import io.securestreams.policy.json.PolicyJsonWriter;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SecureStreamsPolicyEndpoint} and its web extension.
 */
class SecureStreamsPolicyEndpointTests {

	private final MockWebServer server = new MockWebServer();

	private SecureStreams streams;

	private SecureStreamsPolicyEndpoint endpoint;

	@BeforeEach
	void start() throws Exception {
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		Policy policy = TestPolicies.with("fetch_policy",
				(type) -> TestPolicies.h1(type, "127.0.0.1", this.server.getPort(), "GET", "/policy"));
		this.streams = SecureStreams.builder(policy).eventLoopThreads(1).build();
		this.endpoint = new SecureStreamsPolicyEndpoint(this.streams,
				new PolicyFetcher(this.streams, "fetch_policy", Duration.ofSeconds(5), 100_000));
	}

	@AfterEach
	void stop() {
		this.streams.close();
		this.server.close();
	}

	@Test
	void readShowsThePolicyWithSecretsRedacted() {
		PolicyDescriptor descriptor = this.endpoint.policy();
		assertThat(descriptor.version()).isEqualTo(1);
		assertThat(descriptor.hash()).startsWith("sha256:");
		assertThat(descriptor.overlays()).isEmpty();
		assertThat(descriptor.policy()).containsKeys("release", "retry", "certs", "trust_stores", "s");
		assertThat(descriptor.policy().get("certs").toString()).contains(PolicyJsonWriter.REDACTED)
			.doesNotContain("MII");
	}

	@Test
	void validOverlayBumpsTheVersion() {
		PolicyDescriptor after = this.endpoint.applyOverlay("{\"s\":[{\"fetch_policy\":{\"http_url\":\"/other\"}}]}");
		assertThat(after.version()).isEqualTo(2);
		assertThat(after.overlays()).containsExactly(SecureStreamsPolicyEndpoint.OVERLAY_SOURCE);
		assertThat(this.streams.policy().streamType("fetch_policy").http().url()).isEqualTo("/other");
		PolicyDescriptor reset = this.endpoint.resetOverlays();
		assertThat(reset.version()).isEqualTo(3);
		assertThat(reset.overlays()).isEmpty();
		assertThat(this.streams.policy().streamType("fetch_policy").http().url()).isEqualTo("/policy");
	}

	@Test
	void invalidOverlayIsRejectedWithEveryErrorAndChangesNothing() {
		String hash = this.streams.activePolicy().hash();
		String overlay = "{\"s\":[{\"fetch_policy\":{\"port\":70000,\"retry\":\"missing\"}}]}";
		assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> this.endpoint.applyOverlay(overlay));
		WebEndpointResponse<Object> response = new SecureStreamsPolicyEndpointWebExtension(this.endpoint)
			.applyOverlay(overlay);
		assertThat(response.getStatus()).isEqualTo(400);
		List<String> errors = ((ErrorsDescriptor) response.getBody()).errors();
		assertThat(errors).hasSize(2).allSatisfy((error) -> assertThat(error).startsWith("overlay:1:"));
		assertThat(this.streams.activePolicy().version()).isEqualTo(1);
		assertThat(this.streams.activePolicy().hash()).isEqualTo(hash);
	}

	@Test
	void webOverlayReturnsTheNewVersion() {
		WebEndpointResponse<Object> response = new SecureStreamsPolicyEndpointWebExtension(this.endpoint)
			.applyOverlay("{\"s\":[{\"fetch_policy\":{\"http_url\":\"/x\"}}]}");
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(((PolicyDescriptor) response.getBody()).version()).isEqualTo(2);
	}

	@Test
	void fetchReportsTheOutcome() {
		this.server.enqueue(new MockResponse.Builder().code(200).body("{\"release\": \"remote\"}").build());
		FetchDescriptor fetched = this.endpoint.fetch(SecureStreamsPolicyEndpoint.FETCH);
		assertThat(fetched.outcome()).isEqualTo("UPDATED");
		assertThat(fetched.updated()).isTrue();
		assertThat(fetched.version()).isEqualTo(2);
		assertThat(this.streams.policy().release()).isEqualTo("remote");
		assertThat(this.endpoint.policy().policy()).isEqualTo(Map.of("release", "remote"));
	}

	@Test
	void writesAfterTheContextShutDownAreUnavailable() {
		// The web server may still answer while the application stops: before, these were 500s.
		this.streams.close();
		SecureStreamsPolicyEndpointWebExtension web = new SecureStreamsPolicyEndpointWebExtension(this.endpoint);
		WebEndpointResponse<Object> applied = web.applyOverlay("{\"s\":[{\"fetch_policy\":{\"http_url\":\"/x\"}}]}");
		assertThat(applied.getStatus()).isEqualTo(503);
		assertThat(((ErrorsDescriptor) applied.getBody()).errors()).singleElement()
			.asString()
			.contains("shut down");
		WebEndpointResponse<Object> reset = web.resetOverlays();
		assertThat(reset.getStatus()).isEqualTo(503);
		assertThat(((ErrorsDescriptor) reset.getBody()).errors()).singleElement().asString().contains("shut down");
		assertThat(this.streams.activePolicy().version()).isEqualTo(1);
	}

	@Test
	void unknownActionIsNotFound() {
		assertThat(this.endpoint.fetch("refresh")).isNull();
		assertThat(new SecureStreamsPolicyEndpointWebExtension(this.endpoint).fetch("refresh").getStatus())
			.isEqualTo(404);
		assertThat(this.server.getRequestCount()).isZero();
	}

}
