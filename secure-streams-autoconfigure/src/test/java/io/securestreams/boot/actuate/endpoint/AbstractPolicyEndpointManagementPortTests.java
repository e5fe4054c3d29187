package io.securestreams.boot.actuate.endpoint;

import java.nio.charset.StandardCharsets;

import io.securestreams.boot.actuate.endpoint.ActuatorHttp.Response;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static io.securestreams.boot.actuate.endpoint.ActuatorHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy endpoint on a management server of its own ({@code management.server.port}), which
 * runs in a child context with its own filters: overlays work there, a body that is not an
 * overlay request gets its located error there, and a request body longer than the bound is
 * refused there too, unread. Run on a servlet server
 * ({@link SecureStreamsPolicyEndpointManagementPortTests}) and on a reactive one
 * ({@link SecureStreamsPolicyEndpointReactiveManagementPortTests}).
 */
@TestPropertySource(locations = "classpath:policy-endpoint-tests.properties",
		properties = { "management.server.port=0", "management.server.address=127.0.0.1" })
abstract class AbstractPolicyEndpointManagementPortTests {

	private static final String POLICY = "/actuator/securestreamspolicy";

	@LocalServerPort
	int serverPort;

	@LocalManagementPort
	int managementPort;

	@Test
	void overlaysAreAppliedOnTheManagementPort() {
		assertThat(this.managementPort).isNotEqualTo(this.serverPort);
		ActuatorHttp http = new ActuatorHttp(this.managementPort);
		Response applied = http.post(POLICY, JSON, ActuatorHttp.overlayBody("{\"s\": [{\"bytes\": {\"port\": 10}}]}"));
		assertThat(applied.status()).as("%s", applied).isEqualTo(200);
		assertThat(applied.json().path("policy").path("s").path(0).path("bytes").path("port").asInt()).isEqualTo(10);
		assertThat(http.delete(POLICY).status()).isEqualTo(200);
	}

	@Test
	void aBodyThatIsNotAnOverlayRequestGetsItsLocatedErrorOnTheManagementPort() {
		Response response = new ActuatorHttp(this.managementPort).post(POLICY, JSON, "[1, 2]");
		assertThat(response.status()).as("%s", response).isEqualTo(400);
		assertThat(response.firstError()).startsWith("request body:1:1: ").contains("got an array");
	}

	@Test
	void aBodyAnnouncedLongerThanTheBoundIsRefusedUnreadOnTheManagementPort() throws Exception {
		ActuatorHttp http = new ActuatorHttp(this.managementPort);
		JsonNode before = http.get(POLICY).json();
		long length = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + 1;
		String answer = http.rawPost(POLICY, "Content-Type: application/json\r\nContent-Length: " + length + "\r\n",
				(out) -> out.write("{\"overlay\": \"".getBytes(StandardCharsets.US_ASCII)));
		assertThat(answer).startsWith("HTTP/1.1 413 ").contains("request body: " + length + " bytes; at most");
		assertThat(http.get(POLICY).json()).isEqualTo(before);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
