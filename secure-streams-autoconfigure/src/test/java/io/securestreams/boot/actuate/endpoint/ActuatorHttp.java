package io.securestreams.boot.actuate.endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A raw http/1.1 client for the actuator on 127.0.0.1, for requests a well-behaved client would
 * not send (any method, any Content-Type, any bytes) from many threads at once.
 */
final class ActuatorHttp {

	static final String JSON = "application/json";

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private final String base;

	ActuatorHttp(int port) {
		this.base = "http://127.0.0.1:" + port;
	}

	Response get(String path) {
		return send("GET", path, null, null);
	}

	Response post(String path, @Nullable String contentType, @Nullable String body) {
		return send("POST", path, contentType,
				(body != null) ? body.getBytes(StandardCharsets.UTF_8) : null);
	}

	Response delete(String path) {
		return send("DELETE", path, null, null);
	}

	Response send(String method, String path, @Nullable String contentType, byte @Nullable [] body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path));
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		request.method(method, (body != null) ? BodyPublishers.ofByteArray(body) : BodyPublishers.noBody());
		try {
			var response = this.client.send(request.build(), BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * An overlay request body: the overlay's JSON text as the {@code overlay} string.
	 * @param overlay the overlay JSON
	 * @return the request body
	 */
	static String overlayBody(String overlay) {
		return mapper.writeValueAsString(java.util.Map.of("overlay", overlay));
	}

	record Response(int status, String body) {

		JsonNode json() {
			return mapper.readTree(this.body);
		}

		String firstError() {
			return json().path("errors").path(0).asString();
		}

		@Override
		public String toString() {
			return this.status + " " + ((this.body.length() > 300) ? this.body.substring(0, 300) + "..." : this.body);
		}

	}

}
