package io.securestreams.boot.actuate.endpoint;

import java.io.IOException;
import java.net.InetAddress;

import io.securestreams.StreamState;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.testsupport.HttpbinDispatcher;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP contract of the {@code securestreams} and {@code securestreamspolicy} endpoints on a
 * running server, with a handler driving a stream against a local http server.
 */
class SecureStreamsEndpointWebIntegrationTests {

	private static final MockWebServer peer = new MockWebServer();

	@BeforeAll
	static void startPeer() throws IOException {
		peer.setDispatcher(new HttpbinDispatcher());
		peer.start(InetAddress.getByName("127.0.0.1"), 0);
	}

	@AfterAll
	static void stopPeer() {
		peer.close();
	}

	// Inherited by every @Nested test class (the default @NestedTestConfiguration), so each
	// context gets the peer's policy.
	@DynamicPropertySource
	static void policy(DynamicPropertyRegistry registry) {
		peerPolicy(registry, peer);
	}

	/** The policy of these tests: a {@code bytes} and a {@code fetch_policy} streamtype on the peer. */
	static void peerPolicy(DynamicPropertyRegistry registry, MockWebServer server) {
		String type = "secure-streams.policy.streamtypes.";
		registry.add(type + "bytes.endpoint", () -> "127.0.0.1");
		registry.add(type + "bytes.port", server::getPort);
		registry.add(type + "bytes.http-method", () -> "GET");
		registry.add(type + "bytes.http-url", () -> "/bytes/10");
		registry.add(type + "bytes.opportunistic", () -> "true");
		registry.add(type + "[fetch_policy].endpoint", () -> "127.0.0.1");
		registry.add(type + "[fetch_policy].port", server::getPort);
		registry.add(type + "[fetch_policy].http-method", () -> "GET");
		registry.add(type + "[fetch_policy].http-url", () -> "/policy.json");
	}

	@Nested
	@SpringBootTest(classes = WebTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "management.endpoints.web.exposure.include=securestreams,securestreamspolicy,health",
					"management.endpoint.securestreamspolicy.access=unrestricted",
					"management.endpoint.health.show-components=always", "secure-streams.event-loop-threads=1" })
	@AutoConfigureRestTestClient
	class WritesGranted {

		@Autowired
		RestTestClient client;

		@Autowired
		BytesHandler handler;

		@Test
		void listsStreamsAndStreamTypes() {
			Awaitility.await().until(() -> this.handler.acked);
			this.client.get()
				.uri("/actuator/securestreams")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.streams[0].streamType")
				.isEqualTo("bytes")
				.jsonPath("$.streams[0].state")
				.isEqualTo("QOS_ACK_REMOTE")
				.jsonPath("$.streams[0].bytesIn")
				.isEqualTo(10)
				// A client stream has no listener: the actuator leaves the null out (docs/spring-boot.md).
				.jsonPath("$.streams[0]")
				.value(java.util.Map.class, (stream) -> assertThat(stream).doesNotContainKey("listenerId"))
				.jsonPath("$.streamTypes.bytes.streams")
				.isEqualTo(1)
				.jsonPath("$.streamTypes.fetch_policy.streams")
				.isEqualTo(0);
			this.client.get()
				.uri("/actuator/securestreams/bytes")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.summary.states.QOS_ACK_REMOTE")
				.isEqualTo(1);
			this.client.get().uri("/actuator/securestreams/nope").exchange().expectStatus().isNotFound();
			this.client.get()
				.uri("/actuator/health")
				.exchange()
				.expectBody()
				.jsonPath("$.components.secureStreams.status")
				.isEqualTo("UP");
		}

		@Test
		void overlaysAreAppliedAtomicallyAndDropped() {
			this.client.get()
				.uri("/actuator/securestreamspolicy")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.version")
				.isEqualTo(1)
				.jsonPath("$.hash")
				.value(String.class, (hash) -> assertThat(hash).startsWith("sha256:"))
				.jsonPath("$.policy.s[0].bytes.http_url")
				.isEqualTo("/bytes/10");
			this.client.post()
				.uri("/actuator/securestreamspolicy")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"overlay\": \"{\\\"s\\\": [{\\\"bytes\\\": {\\\"port\\\": 70000}}]}\"}")
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.errors[0]")
				.value(String.class, (error) -> assertThat(error).startsWith("overlay:1:"));
			this.client.get()
				.uri("/actuator/securestreamspolicy")
				.exchange()
				.expectBody()
				.jsonPath("$.version")
				.isEqualTo(1);
			this.client.post()
				.uri("/actuator/securestreamspolicy")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"overlay\": \"{\\\"s\\\": [{\\\"bytes\\\": {\\\"http_url\\\": \\\"/bytes/20\\\"}}]}\"}")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.version")
				.isEqualTo(2)
				.jsonPath("$.overlays[0]")
				.isEqualTo("overlay")
				.jsonPath("$.overlayCount")
				.isEqualTo(1)
				.jsonPath("$.policy.s[0].bytes.http_url")
				.isEqualTo("/bytes/20");
			this.client.delete()
				.uri("/actuator/securestreamspolicy")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.version")
				.isEqualTo(3)
				.jsonPath("$.policy.s[0].bytes.http_url")
				.isEqualTo("/bytes/10");
		}

		@Test
		void fetchReportsTheOutcome() {
			this.client.post()
				.uri("/actuator/securestreamspolicy/fetch")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.outcome")
				.isEqualTo("NACK")
				.jsonPath("$.updated")
				.isEqualTo(false);
			this.client.post().uri("/actuator/securestreamspolicy/other").exchange().expectStatus().isNotFound();
		}

	}

	@Nested
	@SpringBootTest(classes = WebTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "management.endpoints.web.exposure.include=securestreamspolicy",
					"management.endpoint.securestreamspolicy.access=unrestricted",
					"secure-streams.event-loop-threads=1" })
	@AutoConfigureRestTestClient
	class OverlayRequestBodies {

		@Autowired
		RestTestClient client;

		@Test
		void anOverlayMissingOrNotAPolicyObjectIsRefusedWithAReasonAndChangesNothing() {
			postOverlay("{}").expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.errors[0]")
				.value(String.class, (error) -> assertThat(error).startsWith("the request has no 'overlay'"));
			postOverlay("{\"overlay\": 42}").expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.errors[0]")
				.isEqualTo("overlay:1:1: expected a policy object, got 42");
			// The overlay's text belongs in a string; an object is refused before it is read.
			postOverlay("{\"overlay\": {\"s\": []}}").expectStatus().isBadRequest();
			this.client.get()
				.uri("/actuator/securestreamspolicy")
				.exchange()
				.expectBody()
				.jsonPath("$.version")
				.isEqualTo(1);
		}

		private RestTestClient.ResponseSpec postOverlay(String body) {
			return this.client.post()
				.uri("/actuator/securestreamspolicy")
				.contentType(MediaType.APPLICATION_JSON)
				.body(body)
				.exchange();
		}

	}

	@Nested
	@SpringBootTest(classes = WebTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "management.endpoints.web.exposure.include=securestreamspolicy",
					"secure-streams.event-loop-threads=1" })
	@AutoConfigureRestTestClient
	class WritesNotGranted {

		@Autowired
		RestTestClient client;

		@Test
		void writesAreRefusedAndThePolicyIsUnchanged() {
			this.client.post()
				.uri("/actuator/securestreamspolicy")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"overlay\": \"{\\\"s\\\": [{\\\"bytes\\\": {\\\"http_url\\\": \\\"/x\\\"}}]}\"}")
				.exchange()
				.expectStatus()
				.is4xxClientError();
			this.client.delete().uri("/actuator/securestreamspolicy").exchange().expectStatus().is4xxClientError();
			this.client.post().uri("/actuator/securestreamspolicy/fetch").exchange().expectStatus().is4xxClientError();
			this.client.get()
				.uri("/actuator/securestreamspolicy")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.version")
				.isEqualTo(1)
				.jsonPath("$.policy.s[0].bytes.http_url")
				.isEqualTo("/bytes/10");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(BytesHandler.class)
	static class WebTestApplication {

	}

	@SecureStreamHandler(streamtype = "bytes", start = Start.REQUEST_TX)
	static class BytesHandler {

		volatile boolean acked;

		@OnState("QOS_ACK_REMOTE")
		void acked(StreamState state) {
			this.acked = true;
		}

	}

}
