package io.securestreams.boot.docs;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.boot.annotation.Flags;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.OnTx;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPki;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the examples of {@code docs/spring-boot.md}: the handler classes and the overlay test are
 * copied from the page (with fields and checks added to observe them), and the policy YAML is
 * read from the page itself.
 */
class DocsExamplesTests {

	private static final Path PAGE = Path.of("..", "docs", "spring-boot.md");

	private static final Logger log = LoggerFactory.getLogger(DocsExamplesTests.class);

	private final MockWebServer server = new MockWebServer();

	private ApplicationContextRunner runner;

	@BeforeEach
	void start() throws IOException {
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		String mintest = "secure-streams.policy.streamtypes.mintest.";
		String telemetry = "secure-streams.policy.streamtypes.telemetry.";
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					mintest + "endpoint=127.0.0.1", mintest + "port=" + this.server.getPort(),
					mintest + "http-method=GET", mintest + "http-url=/", telemetry + "endpoint=127.0.0.1",
					telemetry + "port=" + this.server.getPort(), telemetry + "protocol=h1",
					telemetry + "http-method=POST", telemetry + "http-url=/v1/telemetry",
					telemetry + "opportunistic=true");
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void theGettingStartedHandlerSeesTheDocumentedStates() {
		this.server.enqueue(new MockResponse.Builder().code(200).body("hello").build());
		this.runner.withBean(MintestHandler.class).run((context) -> {
			MintestHandler handler = context.getBean(MintestHandler.class);
			Awaitility.await().until(() -> handler.states.contains(StreamState.QOS_ACK_REMOTE));
			assertThat(handler.states).containsSubsequence(StreamState.CREATING, StreamState.POLL,
					StreamState.CONNECTING, StreamState.CONNECTED, StreamState.QOS_ACK_REMOTE);
			assertThat(String.join("", handler.chunks)).isEqualTo("hello");
		});
	}

	@Test
	void theTelemetrySenderPostsItsBodyAndMapsTheAnswer() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).body("{\"temperature\": 22.5}").build());
		this.runner.withBean(TelemetrySender.class).run((context) -> {
			RecordedRequest request = this.server.takeRequest();
			assertThat(request.getMethod()).isEqualTo("POST");
			assertThat(request.getTarget()).isEqualTo("/v1/telemetry");
			assertThat(request.getHeaders().get("content-length")).isEqualTo("21");
			assertThat(request.getBody().utf8()).isEqualTo("{\"temperature\": 21.5}");
			TelemetrySender sender = context.getBean(TelemetrySender.class);
			Awaitility.await().until(() -> !sender.readings.isEmpty());
			assertThat(sender.readings).containsExactly(new Reading(22.5));
		});
	}

	@Test
	void thePolicyPropertiesExampleIsAValidPolicy(@TempDir Path dir) throws IOException {
		Path ca = Files.writeString(dir.resolve("ca.pem"), TestPki.ca().getCertificatePEM());
		String yaml = yamlExampleContaining("trust-stores:").replace("classpath:certs/ca.pem", ca.toUri().toString());
		PropertySource<?> source = new YamlPropertySourceLoader()
			.load("spring-boot.md", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))
			.get(0);
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s")
			.withInitializer((context) -> context.getEnvironment().getPropertySources().addFirst(source))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Policy policy = context.getBean(SecureStreams.class).policy();
				assertThat(policy.retry().get("default"))
					.isEqualTo(new RetryPolicy("default", List.of(1000, 2000, 3000, 5000), 5, 20, 30, 0));
				assertThat(policy.trustStores().get("my_trust").certificateNames()).containsExactly("my_ca");
				StreamTypePolicy telemetry = policy.streamType("telemetry");
				assertThat(telemetry.protocol()).isEqualTo(Protocol.H1);
				assertThat(telemetry.timeoutMs()).isEqualTo(10_000);
				assertThat(telemetry.tls().trustStore()).isEqualTo("my_trust");
				assertThat(telemetry.http().responseMap()).singleElement()
					.satisfies((mapping) -> assertThat(mapping.status()).isEqualTo(530));
				assertThat(policy.streamTypes()).containsOnlyKeys("telemetry", "fetch_policy");
			});
	}

	// From "Testing with overlays over HTTP", with an application and a mintest streamtype for it
	// to overlay (the page's test runs against the application's own policy).
	@Nested
	@SpringBootTest(classes = OverlayTestsApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "management.endpoints.web.exposure.include=securestreams,securestreamspolicy",
					"management.endpoint.securestreamspolicy.access=unrestricted",
					"secure-streams.event-loop-threads=1",
					"secure-streams.policy.streamtypes.mintest.endpoint=mintest.example.com" })
	@AutoConfigureRestTestClient
	class OverlayTests {

		@Autowired
		RestTestClient client;

		@Autowired
		SecureStreams streams;

		@Test
		void unreachableEndpointEndsInAllRetriesFailed() {
			client.post().uri("/actuator/securestreamspolicy")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"overlay\": \"{\\\"s\\\": [{\\\"mintest\\\": {\\\"endpoint\\\": \\\"127.0.0.1\\\", "
						+ "\\\"port\\\": 1}}]}\"}")
				.exchange()
				.expectStatus().isOk();
			assertThat(this.streams.policy().streamType("mintest").port()).isEqualTo(1);
			client.delete().uri("/actuator/securestreamspolicy").exchange().expectStatus().isOk();
			assertThat(this.streams.policy().streamType("mintest").endpoint()).isEqualTo("mintest.example.com");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class OverlayTestsApplication {

	}

	private static String yamlExampleContaining(String marker) throws IOException {
		String page = Files.readString(PAGE);
		for (String block : page.split("```yaml\n")) {
			int end = block.indexOf("```");
			if (end > 0 && block.substring(0, end).contains(marker)) {
				return block.substring(0, end);
			}
		}
		throw new IllegalStateException("no yaml example with " + marker + " in " + PAGE);
	}

	// From "Getting started", with its states and payload recorded.
	@SecureStreamHandler(streamtype = "mintest", start = Start.REQUEST_TX)
	static class MintestHandler {

		final List<StreamState> states = new CopyOnWriteArrayList<>();

		final List<String> chunks = new CopyOnWriteArrayList<>();

		@OnState
		void state(SecureStream stream, StreamState state) {
			log.info("{} #{}: {}", stream.streamType(), stream.id(), state);
			this.states.add(state);
		}

		@OnRx
		void rx(String chunk, @Flags int flags) {
			log.info("received {} bytes ({})", chunk.length(), StreamFlags.toString(flags));
			this.chunks.add(chunk);
		}

	}

	record Reading(double temperature) {
	}

	// From "Handler methods", with the mapped answers recorded.
	@SecureStreamHandler(streamtype = "telemetry")
	static class TelemetrySender {

		private final byte[] body = "{\"temperature\": 21.5}".getBytes(StandardCharsets.UTF_8);

		final List<Reading> readings = new CopyOnWriteArrayList<>();

		@OnState("CREATING")
		void created(SecureStream stream) {
			stream.requestTxLen(this.body.length);
		}

		@OnTx
		StreamResult tx(TxSlot slot) {
			slot.write(this.body).flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

		@OnRx
		void answer(Reading reading) {
			this.readings.add(reading);
		}

	}

}
