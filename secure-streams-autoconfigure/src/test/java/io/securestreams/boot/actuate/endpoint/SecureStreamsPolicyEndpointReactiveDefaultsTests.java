package io.securestreams.boot.actuate.endpoint;

import java.nio.charset.StandardCharsets;

import io.securestreams.boot.actuate.endpoint.ActuatorHttp.Response;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static io.securestreams.boot.actuate.endpoint.ActuatorHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy endpoint on a reactive server with WebFlux's defaults: its codecs read at most
 * 256 KiB of a body into memory, so a longer request is answered 413 naming
 * {@code spring.http.codecs.max-in-memory-size} (at once when its length is announced), and an
 * overlay within it is applied. Under a base path and a management base path of the
 * application's choosing, as {@link SecureStreamsPolicyEndpointPathsTests} does for servlets.
 */
@SpringBootTest(classes = SecureStreamsPolicyEndpointReactiveDefaultsTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "spring.main.web-application-type=reactive",
				"spring.webflux.base-path=/app", "management.endpoints.web.base-path=/manage" })
@TestPropertySource(locations = "classpath:policy-endpoint-tests.properties")
class SecureStreamsPolicyEndpointReactiveDefaultsTests {

	private static final String POLICY = "/app/manage/securestreamspolicy";

	private static final int CODEC_LIMIT = 256 * 1024;

	private static final String CODEC_BOUND = "; at most " + CODEC_LIMIT
			+ " are accepted (spring.http.codecs.max-in-memory-size)";

	@LocalServerPort
	int port;

	@Test
	void aBodyThatIsNotAnOverlayRequestGetsItsLocatedError() {
		Response response = new ActuatorHttp(this.port).post(POLICY, JSON, "{\"overlay\": [1]}");
		assertThat(response.status()).as("%s", response).isEqualTo(400);
		assertThat(response.firstError()).isEqualTo(
				"request body:1:13: overlay: expected a string (the overlay's JSON text), got an array");
	}

	@Test
	void anOverlayWithinTheCodecLimitIsApplied() {
		ActuatorHttp http = new ActuatorHttp(this.port);
		JsonNode before = http.get(POLICY).json();
		String overlay = "{\"s\": [{\"bytes\": {\"port\": 10, \"http_url\": \"/" + "a".repeat(200 * 1024) + "\"}}]}";
		Response applied = http.post(POLICY, JSON, ActuatorHttp.overlayBody(overlay));
		assertThat(applied.status()).as("%s", applied).isEqualTo(200);
		assertThat(applied.json().path("version").asLong()).isEqualTo(before.path("version").asLong() + 1);
		assertThat(http.delete(POLICY).json().path("hash")).isEqualTo(before.path("hash"));
	}

	@Test
	void aBodyAnnouncedLongerThanTheCodecLimitIsRefusedUnread() throws Exception {
		ActuatorHttp http = new ActuatorHttp(this.port);
		JsonNode before = http.get(POLICY).json();
		int length = CODEC_LIMIT + 1;
		// The body never comes: the answer must not wait for it.
		String answer = http.rawPost(POLICY, "Content-Type: application/json\r\nContent-Length: " + length + "\r\n",
				(out) -> out.write("{\"overlay\": \"".getBytes(StandardCharsets.US_ASCII)));
		assertThat(answer).startsWith("HTTP/1.1 413 ")
			.contains("{\"errors\":[\"request body: " + length + " bytes" + CODEC_BOUND + "\"]}");
		assertThat(http.get(POLICY).json()).isEqualTo(before);
	}

	@Test
	void aChunkedBodyLongerThanTheCodecLimitIsRefused() throws Exception {
		ActuatorHttp http = new ActuatorHttp(this.port);
		JsonNode before = http.get(POLICY).json();
		byte[] spaces = " ".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
		String answer = http.rawPost(POLICY, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
				(out) -> {
					out.write("1\r\n{\r\n".getBytes(StandardCharsets.US_ASCII));
					for (int i = 0; i < CODEC_LIMIT / spaces.length + 2; i++) {
						out.write((Integer.toHexString(spaces.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
						out.write(spaces);
						out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
					}
					out.write("1\r\n}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				});
		assertThat(answer).startsWith("HTTP/1.1 413 ")
			.contains("{\"errors\":[\"request body: more than " + CODEC_LIMIT + " bytes" + CODEC_BOUND + "\"]}");
		assertThat(http.get(POLICY).json()).isEqualTo(before);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
