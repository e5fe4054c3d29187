package io.securestreams.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.util.StreamUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application on a random port, its sample server on an ephemeral one: stream states
 * over HTTP, an overlay that points a streamtype at another local server, an invalid overlay,
 * and a remote policy fetch from a local server.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.port=0", "sample.interval=200ms", "secure-streams.event-loop-threads=1" })
@AutoConfigureRestTestClient
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class SampleApplicationTests {

	private final JsonMapper json = JsonMapper.builder().build();

	private final MockWebServer other = new MockWebServer();

	@Autowired
	private RestTestClient client;

	@Autowired
	private HelloGetClient helloGet;

	@Autowired
	private HelloWsClient helloWs;

	@Autowired
	private SystemMessageLogger systemMessages;

	@Autowired
	private SecureStreams streams;

	@Autowired
	private SecureStreamHandlerEndpointRegistry registry;

	@BeforeEach
	void startOtherServer() throws IOException {
		this.other.start(InetAddress.getByName("127.0.0.1"), 0);
	}

	@AfterEach
	void stopOtherServer() {
		this.other.close();
	}

	private JsonNode get(String uri) {
		String body = this.client.get().uri(uri).exchange().expectStatus().isOk().returnResult(String.class)
			.getResponseBody();
		return this.json.readTree(body);
	}

	private RestTestClient.ResponseSpec postOverlay(String overlay) {
		String body = this.json.writeValueAsString(java.util.Map.of("overlay", overlay));
		return this.client.post()
			.uri("/actuator/securestreamspolicy")
			.contentType(MediaType.APPLICATION_JSON)
			.body(body)
			.exchange();
	}

	@Test
	void streamStatesAreReadOverHttp() {
		Awaitility.await().until(() -> this.helloGet.acknowledgedCount() >= 2 && this.helloWs.echoCount() >= 2);
		JsonNode streams = get("/actuator/securestreams");
		JsonNode types = streams.get("streamTypes");
		assertThat(types.get("sample-server").get("server").asBoolean()).isTrue();
		assertThat(types.get("sample-server").get("streams").asInt()).isGreaterThanOrEqualTo(2);
		assertThat(types.get("hello-get").get("bytesIn").asLong()).isPositive();
		assertThat(types.get("hello-ws").get("protocol").asString()).isEqualTo("ws");
		assertThat(types.get("hello-ws").get("states").get("CONNECTED").asInt()).isEqualTo(1);
		assertThat(streams.get("streams").valueStream().map((stream) -> stream.get("role").asString()))
			.contains("LISTENER", "ACCEPTED", "CLIENT");
		JsonNode server = get("/actuator/securestreams/sample-server");
		assertThat(server.get("streams").valueStream().filter((stream) -> stream.has("listenerId"))).isNotEmpty();
		assertThat(get("/actuator/health").get("components").get("secureStreams").get("status").asString())
			.isEqualTo("UP");
	}

	@Test
	void captivePortalDetectionAgainstTheSampleServerShowsInHealth() {
		// The driver detects once at start-up; the sample server answers /generate_204 itself.
		Awaitility.await()
			.until(() -> "INTERNET_OK".equals(get("/actuator/health").get("components").get("secureStreams")
				.get("details").get("connectivity").asString()));
		// ...and the _lws_smd handler hears the result, as the README says it logs it.
		Awaitility.await().until(() -> this.systemMessages.received().contains("{\"type\":\"cpd\",\"result\":\"OK\"}"));
	}

	@Test
	void overlayPointsAStreamTypeAtAnotherLocalServer() throws InterruptedException {
		this.other.enqueue(new MockResponse.Builder().code(200).body("from the other server").build());
		long version = get("/actuator/securestreamspolicy").get("version").asLong();
		JsonNode applied = this.json.readTree(postOverlay("{\"s\": [{\"hello-get\": {\"port\": " + this.other.getPort()
				+ "}}]}").expectStatus().isOk().returnResult(String.class).getResponseBody());
		assertThat(applied.get("version").asLong()).isEqualTo(version + 1);
		RecordedRequest request = this.other.takeRequest(30, TimeUnit.SECONDS);
		assertThat(request).as("a request at the other server").isNotNull();
		assertThat(request.getMethod()).isEqualTo("GET");
		assertThat(request.getUrl().encodedPath()).isEqualTo("/hello");
		// The _lws_smd handler heard the new policy announced, as libwebsockets announces it.
		Awaitility.await().until(() -> this.systemMessages.received().stream()
			.anyMatch((message) -> message.startsWith("{\"policy\":\"updated\",\"ts\":")));
	}

	@Test
	void invalidOverlayIsRejectedAndThePolicyIsUnchanged() {
		JsonNode before = get("/actuator/securestreamspolicy");
		String errors = postOverlay("{\"s\": [{\"hello-get\": {\"port\": 70000, \"retry\": \"nope\"}}]}").expectStatus()
			.isBadRequest()
			.returnResult(String.class)
			.getResponseBody();
		JsonNode rejected = this.json.readTree(errors);
		assertThat(rejected.get("errors").size()).isEqualTo(2);
		assertThat(rejected.get("errors").get(0).asString()).startsWith("overlay:1:").contains("hello-get.port");
		JsonNode after = get("/actuator/securestreamspolicy");
		assertThat(after.get("version")).isEqualTo(before.get("version"));
		assertThat(after.get("hash")).isEqualTo(before.get("hash"));
	}

	@Test
	void clientsFollowTheServerPortAfterAPolicyIsFetchedFromTheSampleServer() {
		// The sample server's /policy.json names port 7681, which sample.port=0 does not listen on.
		JsonNode outcome = fetchPolicy();
		assertThat(outcome.get("outcome").asString()).isEqualTo("UPDATED");
		int serverPort = this.registry.getHandlerContainer(HelloServer.ID)
			.getStreams()
			.stream()
			.map(SecureStream::localAddress)
			.filter(InetSocketAddress.class::isInstance)
			.mapToInt((address) -> ((InetSocketAddress) address).getPort())
			.findFirst()
			.orElseThrow();
		Awaitility.await().untilAsserted(() -> assertThat(this.streams.policy().streamType(HelloGetClient.ID).port())
			.isEqualTo(serverPort));
		assertThat(this.streams.policy().streamType(HelloWsClient.ID).port()).isEqualTo(serverPort);
		long acknowledged = this.helloGet.acknowledgedCount();
		Awaitility.await().until(() -> this.helloGet.acknowledgedCount() > acknowledged);
	}

	@Test
	void remotePolicyIsFetchedFromALocalServer() throws Exception {
		String remote = StreamUtils
			.copyToString(new ClassPathResource("secure-streams/remote-policy.json").getInputStream(),
					StandardCharsets.UTF_8)
			.replace("sample-remote-1", "fetched-in-test");
		this.other.enqueue(new MockResponse.Builder().code(200).body(remote).build());
		postOverlay("{\"s\": [{\"fetch_policy\": {\"port\": " + this.other.getPort() + "}}]}").expectStatus().isOk();
		JsonNode outcome = fetchPolicy();
		assertThat(outcome.get("outcome").asString()).isEqualTo("UPDATED");
		RecordedRequest request = this.other.takeRequest(30, TimeUnit.SECONDS);
		assertThat(request).isNotNull();
		assertThat(request.getUrl().encodedPath()).isEqualTo("/policy.json");
		JsonNode policy = get("/actuator/securestreamspolicy");
		assertThat(policy.get("version").asLong()).isEqualTo(outcome.get("version").asLong());
		assertThat(policy.get("policy").get("release").asString()).isEqualTo("fetched-in-test");
		assertThat(policy.get("overlays").size()).isZero();
	}

	// Asks the actuator to fetch the remote policy now; returns the fetch's outcome document.
	private JsonNode fetchPolicy() {
		return this.json.readTree(this.client.post()
			.uri("/actuator/securestreamspolicy/fetch")
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseBody());
	}

}
