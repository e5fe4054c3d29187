package io.securestreams.boot.actuate.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

import io.securestreams.boot.actuate.endpoint.ActuatorHttp.Response;
import io.securestreams.policy.overlay.PolicyOverlays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static io.securestreams.boot.actuate.endpoint.ActuatorHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code securestreamspolicy} endpoint over real http against careless or hostile requests:
 * every refused request is answered 4xx with an error naming where it is wrong, and the policy
 * in force (version, hash and content) is what it was. Run on a servlet server
 * ({@link SecureStreamsPolicyEndpointHostileRequestsTests}) and on a reactive one
 * ({@link SecureStreamsPolicyEndpointReactiveHostileRequestsTests}): the answers are the same.
 */
@TestPropertySource(locations = "classpath:policy-endpoint-tests.properties")
abstract class AbstractPolicyEndpointHostileRequestsTests {

	private static final String POLICY = "/actuator/securestreamspolicy";

	// Where a problem in the request body itself is: "request body:LINE:COL: ..."
	private static final String BODY_LOCATION = "request body:\\d+:\\d+: .+";

	@LocalServerPort
	int port;

	ActuatorHttp http;

	@BeforeEach
	void client() {
		this.http = new ActuatorHttp(this.port);
		assertThat(this.http.delete(POLICY).status()).isEqualTo(200);
	}

	@Test
	void aBodyCutShortIsRefusedWithoutJacksonsInternals() {
		// Jackson's "(start marker at [Source: REDACTED (...); byte offset: #UNKNOWN])" located nothing.
		assertRefused(JSON, "{\"overlay\": \"{}\"", 400,
				"request body:1:17: invalid JSON: Unexpected end-of-input: expected close marker for Object", "");
	}

	@Test
	void aBodyThatIsNotAnOverlayRequestIsRefusedWithWhereItIsWrong() {
		assertRefused(JSON, "not json", 400, BODY_LOCATION, "invalid JSON");
		assertRefused(JSON, "{\"overlay\": \"{", 400, BODY_LOCATION, "invalid JSON");
		assertRefused(JSON, "[1, 2]", 400, BODY_LOCATION, "got an array");
		assertRefused(JSON, "\"text\"", 400, BODY_LOCATION, "got a string");
		assertRefused(JSON, "42", 400, BODY_LOCATION, "got a number");
		assertRefused(JSON, "{\"overlay\": {\"s\": []}}", 400, "request body:1:13: overlay: .+", "got an object");
		assertRefused(JSON, "{\"overlay\": [1]}", 400, "request body:1:13: overlay: .+", "got an array");
		assertRefused(JSON, "[".repeat(1000) + "]".repeat(1000), 400, BODY_LOCATION, "got an array");
		assertRefused(JSON, "{\"overlay\": \"{}\", \"other\": {}}", 400, "request body:1:\\d+: other: .+",
				"got an object");
		assertRefused(JSON, "null", 400, "the request has no 'overlay'.*", "");
		assertRefused(JSON, "", 400, "the request has no 'overlay'.*", "");
		assertRefused(JSON, "{\"overlay\": null}", 400, "the request has no 'overlay'.*", "");
		byte[] notUtf8 = "{\"overlay\": \"\u00ff\u00fe\"}".getBytes(StandardCharsets.ISO_8859_1);
		assertRefused(JSON, notUtf8, 400, BODY_LOCATION, "UTF-8");
	}

	@Test
	void aBodyOfAnotherContentTypeIsRefusedNamingTheContentType() {
		String body = ActuatorHttp.overlayBody("{}");
		assertRefused("text/plain", body, 415, ".*Content-Type 'text/plain'.*", "application/json");
		assertRefused("application/x-www-form-urlencoded", "overlay=%7B%7D", 415,
				".*Content-Type 'application/x-www-form-urlencoded'.*", "application/json");
		assertRefused(null, body, 415, "request body: no Content-Type; .*", "application/json");
	}

	@Test
	void theNextRequestOfAClientIsAnsweredAfterARefusalThatLeftTheBodyUnread() {
		// The client keeps its connection, and the refusal came before the body was read: the
		// server must not leave the next request on that connection unanswered (the client's
		// timeout fails the test).
		byte[] body = ActuatorHttp.overlayBody("{}").getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < 200; i++) {
			assertThat(this.http.send("POST", POLICY, "text/plain", body).status()).isEqualTo(415);
			assertThat(this.http.get(POLICY).status()).as("GET after refusal %d", i).isEqualTo(200);
		}
	}

	@Test
	void anInvalidOverlayIsRefusedWithItsLocationAndPath() {
		assertRefused(JSON, ActuatorHttp.overlayBody("nope"), 400, "overlay:1:1: .+", "invalid JSON");
		assertRefused(JSON, ActuatorHttp.overlayBody("[]"), 400, "overlay:1:1: .+", "got an array");
		assertRefused(JSON, ActuatorHttp.overlayBody(""), 400, "overlay:1:1: .+", "empty document");
		assertRefused(JSON, ActuatorHttp.overlayBody("{\"s\": [{\"bytes\": {\"bogus\": 1}}]}"), 400,
				"overlay:1:\\d+: s\\[0\\]\\.bytes\\.bogus: .+", "unknown streamtype key 'bogus'");
		assertRefused(JSON, ActuatorHttp.overlayBody("{\"s\": [{\"bytes\": {\"port\": 70000}}]}"), 400,
				"overlay:1:\\d+: s\\[0\\]\\.bytes\\.port: .+", "0..65535");
		assertRefused(JSON, ActuatorHttp.overlayBody("{\"s\": [{\"bytes\": {\"port\": -1}}]}"), 400,
				"overlay:1:\\d+: s\\[0\\]\\.bytes\\.port: .+", "0..65535");
		assertRefused(JSON, ActuatorHttp.overlayBody("{\"s\": [{\"bytes\": {\"retry\": \"nope\"}}]}"), 400,
				"overlay:1:\\d+: s\\[0\\]\\.bytes\\.retry: .+", "'nope'");
		assertRefused(JSON, ActuatorHttp.overlayBody("{\"s\": [], \"s\": []}"), 400, "overlay:1:\\d+: s: .+",
				"duplicate key");
		assertRefused(JSON, ActuatorHttp.overlayBody("[".repeat(1000)), 400, "overlay:1:\\d+: .+", "nesting");
	}

	@Test
	void aLargeValidOverlayIsAppliedAndDropped() {
		// Just under the overlay bound (4 MiB), and more than that as a request body.
		int count = 38_000;
		String overlay = streamTypes(count);
		assertThat(overlay.length()).isBetween(PolicyOverlays.MAX_OVERLAY_BYTES - 256 * 1024,
				PolicyOverlays.MAX_OVERLAY_BYTES);
		String body = ActuatorHttp.overlayBody(overlay);
		assertThat(body.length()).isGreaterThan(PolicyOverlays.MAX_OVERLAY_BYTES);
		JsonNode before = this.http.get(POLICY).json();
		Response applied = this.http.post(POLICY, JSON, body);
		assertThat(applied.status()).as("%s", applied).isEqualTo(200);
		assertThat(applied.json().path("version").asLong()).isEqualTo(before.path("version").asLong() + 1);
		assertThat(applied.json().path("policy").path("s").size()).isEqualTo(count + 1);
		Response streams = this.http.get("/actuator/securestreams");
		assertThat(streams.status()).isEqualTo(200);
		assertThat(streams.json().path("streamTypes").size()).isEqualTo(count + 1);
		Response reset = this.http.delete(POLICY);
		assertThat(reset.status()).isEqualTo(200);
		assertThat(reset.json().path("policy")).isEqualTo(before.path("policy"));
		assertThat(reset.json().path("hash")).isEqualTo(before.path("hash"));
	}

	@Test
	void anOverlayOverTheBoundIsRefusedWithItsSize() {
		String overlay = streamTypes(40_000);
		assertThat(overlay.length()).isGreaterThan(PolicyOverlays.MAX_OVERLAY_BYTES);
		assertRefused(JSON, ActuatorHttp.overlayBody(overlay), 400,
				"overlay: the overlay is (at least )?\\d+ bytes; .+",
				"at most " + PolicyOverlays.MAX_OVERLAY_BYTES + " are accepted");
	}

	@Test
	void aBodyAnnouncedLongerThanTheBoundIsRefusedUnread() throws Exception {
		JsonNode before = this.http.get(POLICY).json();
		long length = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + 1;
		// The body never comes: the answer must not wait for it.
		String headers = "Content-Type: application/json\r\nContent-Length: " + length + "\r\n";
		String answer = this.http.rawPost(POLICY, headers,
				(out) -> out.write("{\"overlay\": \"".getBytes(StandardCharsets.US_ASCII)));
		assertThat(answer).startsWith("HTTP/1.1 413 ")
			.contains("{\"errors\":[\"request body: " + length + " bytes; at most "
					+ SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + " are accepted\"]}");
		assertThat(this.http.get(POLICY).json()).isEqualTo(before);
	}

	@Test
	void aChunkedBodyLongerThanTheBoundIsCutOff() throws Exception {
		JsonNode before = this.http.get(POLICY).json();
		byte[] spaces = " ".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
		String chunk = Integer.toHexString(spaces.length) + "\r\n";
		long chunks = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES / spaces.length + 2;
		String answer = this.http.rawPost(POLICY, "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
				(out) -> {
					byte[] start = "{\"overlay\": \"".getBytes(StandardCharsets.US_ASCII);
					out.write((Integer.toHexString(start.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
					out.write(start);
					out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
					for (long i = 0; i < chunks; i++) {
						out.write(chunk.getBytes(StandardCharsets.US_ASCII));
						out.write(spaces);
						out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
					}
					out.write("3\r\n\"}\n\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				});
		assertThat(answer).startsWith("HTTP/1.1 413 ")
			.contains("{\"errors\":[\"request body: more than "
					+ SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + " bytes; at most "
					+ SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + " are accepted\"]}");
		assertThat(this.http.get(POLICY).json()).isEqualTo(before);
	}

	@Test
	void anotherSpellingOfThePathGetsTheSameLocatedErrorsAndBound() throws Exception {
		// Both web stacks route these to the endpoint, as they match on the decoded path without
		// path parameters: the endpoint's checks must see them as its own requests too.
		for (String path : new String[] { POLICY + ";x=1", "/actuator/%73ecurestreamspolicy",
				"/actuator/securestreams%70olicy;a=b" }) {
			JsonNode before = this.http.get(POLICY).json();
			Response notJson = this.http.post(path, JSON, "not json");
			assertThat(notJson.status()).as("%s: %s", path, notJson).isEqualTo(400);
			assertThat(notJson.firstError()).as("%s: %s", path, notJson).matches(BODY_LOCATION)
				.contains("invalid JSON");
			Response array = this.http.post(path, JSON, "[1, 2]");
			assertThat(array.status()).as("%s: %s", path, array).isEqualTo(400);
			assertThat(array.firstError()).as(path).startsWith("request body:1:1: ").contains("got an array");
			long length = SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + 1;
			String answer = this.http.rawPost(path, "Content-Type: application/json\r\nContent-Length: " + length
					+ "\r\n", (out) -> out.write("{\"overlay\": \"".getBytes(StandardCharsets.US_ASCII)));
			assertThat(answer).as(path)
				.startsWith("HTTP/1.1 413 ")
				.contains("{\"errors\":[\"request body: " + length + " bytes; at most "
						+ SecureStreamsPolicyEndpoint.MAX_REQUEST_BODY_BYTES + " are accepted\"]}");
			assertThat(this.http.get(POLICY).json()).as(path).isEqualTo(before);
			// And the spelling does reach the endpoint: its checks are not guarding a 404.
			Response applied = this.http.post(path, JSON, ActuatorHttp.overlayBody("{}"));
			assertThat(applied.status()).as("%s: %s", path, applied).isEqualTo(200);
		}
	}

	private static String streamTypes(int count) {
		StringJoiner types = new StringJoiner(", ", "{\"s\": [", "]}");
		for (int i = 0; i < count; i++) {
			types.add("{\"t" + i + "\": {\"endpoint\": \"127.0.0.1\", \"port\": 9, \"protocol\": \"h1\", "
					+ "\"http_method\": \"GET\", \"http_url\": \"/x\"}}");
		}
		return types.toString();
	}

	@Test
	void oddActionsAreNotFoundOrRefusedNeverAServerError() {
		String[] actions = { "nope", "%C3%A9t%C3%A9", "%E2%98%83", "a%20b", "a%2Fb", "%FF", "a%00b",
				"a".repeat(2_000), "a".repeat(20_000), "..", "%2E%2E" };
		for (String action : actions) {
			Response response = this.http.post(POLICY + "/" + action, null, null);
			// 414: a server may refuse a request line that long before routing it.
			assertThat(response.status()).as("POST .../%s: %s", abbreviate(action), response).isIn(400, 404, 414);
			assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
		}
		assertThat(this.http.get(POLICY).json().path("version").asLong()).isPositive();
	}

	private void assertRefused(String contentType, String body, int status, String firstError, String mentions) {
		assertRefused(contentType, body.getBytes(StandardCharsets.UTF_8), status, firstError, mentions);
	}

	private void assertRefused(String contentType, byte[] body, int status, String firstError, String mentions) {
		JsonNode before = this.http.get(POLICY).json();
		Response response = this.http.send("POST", POLICY, contentType, body);
		String request = abbreviate(new String(body, StandardCharsets.UTF_8)) + " as " + contentType;
		assertThat(response.status()).as("%s: %s", request, response).isEqualTo(status);
		assertThat(response.body()).as(request).doesNotContain("\tat ");
		assertThat(response.firstError()).as("%s: %s", request, response).matches("(?s)" + firstError)
			.contains(mentions);
		JsonNode after = this.http.get(POLICY).json();
		assertThat(after).as("the policy after %s", request).isEqualTo(before);
	}

	private static String abbreviate(String text) {
		return (text.length() > 60) ? text.substring(0, 60) + "..." : text;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
