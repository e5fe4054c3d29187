package io.securestreams.boot.actuate.endpoint;

import java.nio.charset.StandardCharsets;

import io.securestreams.boot.actuate.endpoint.ActuatorHttp.Response;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.securestreams.boot.actuate.endpoint.ActuatorHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy endpoint on a management server of its own ({@code management.server.port}), which
 * runs in a child context with its own filters: overlays work there, and a request body longer
 * than the bound is refused there too, unread.
 */
@SpringBootTest(classes = SecureStreamsPolicyEndpointManagementPortTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "management.server.port=0", "management.server.address=127.0.0.1",
				"management.endpoints.web.exposure.include=securestreamspolicy",
				"management.endpoint.securestreamspolicy.access=unrestricted", "secure-streams.event-loop-threads=1",
				"secure-streams.policy.streamtypes.bytes.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.bytes.port=9",
				"secure-streams.policy.streamtypes.bytes.http-method=GET",
				"secure-streams.policy.streamtypes.bytes.http-url=/bytes/10",
				"secure-streams.policy.streamtypes.bytes.opportunistic=true" })
class SecureStreamsPolicyEndpointManagementPortTests {

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
	void aBodyAnnouncedLongerThanTheBoundIsRefusedUnreadOnTheManagementPort() throws Exception {
		ActuatorHttp http = new ActuatorHttp(this.managementPort);
		JsonNode before = http.get(POLICY).json();
		long length = SecureStreamsPolicyEndpointBodyLimitFilter.MAX_BODY_BYTES + 1;
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
