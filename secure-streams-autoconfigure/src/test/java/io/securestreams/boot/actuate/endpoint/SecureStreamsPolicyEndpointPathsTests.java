package io.securestreams.boot.actuate.endpoint;

import java.nio.charset.StandardCharsets;

import io.securestreams.boot.actuate.endpoint.ActuatorHttp.Response;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.securestreams.boot.actuate.endpoint.ActuatorHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy endpoint's request checks under a servlet context path and a management base path
 * of the application's choosing: its requests are still recognised (a body that is not an
 * overlay request gets its located error, a body over the bound a 413).
 */
@SpringBootTest(classes = SecureStreamsPolicyEndpointPathsTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "server.servlet.context-path=/app",
				"management.endpoints.web.base-path=/manage",
				"management.endpoints.web.exposure.include=securestreamspolicy",
				"management.endpoint.securestreamspolicy.access=unrestricted", "secure-streams.event-loop-threads=1" })
class SecureStreamsPolicyEndpointPathsTests {

	private static final String POLICY = "/app/manage/securestreamspolicy";

	@LocalServerPort
	int port;

	@Test
	void aBodyThatIsNotAnOverlayRequestGetsItsLocatedError() {
		Response response = new ActuatorHttp(this.port).post(POLICY, JSON, "[1, 2]");
		assertThat(response.status()).as("%s", response).isEqualTo(400);
		assertThat(response.firstError()).startsWith("request body:1:1: ").contains("got an array");
	}

	@Test
	void aBodyAnnouncedLongerThanTheBoundIsRefusedUnread() throws Exception {
		long length = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + 1;
		String headers = "Content-Type: application/json\r\nContent-Length: " + length + "\r\n";
		String answer = new ActuatorHttp(this.port).rawPost(POLICY, headers,
				(out) -> out.write("{\"overlay\": \"".getBytes(StandardCharsets.US_ASCII)));
		assertThat(answer).startsWith("HTTP/1.1 413 ").contains("request body: " + length + " bytes; at most");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
