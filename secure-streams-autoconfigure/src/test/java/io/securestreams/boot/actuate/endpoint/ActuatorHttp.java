package io.securestreams.boot.actuate.endpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
		// A server that never answers fails the test instead of hanging the build.
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(30));
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
	 * Sends a POST over a plain socket and returns what the server answered, as text, until the end
	 * of a JSON errors body or until the server closes: for bodies a well-behaved client cannot send
	 * (a length that is a lie, more bytes than anyone should accept). The body is written from
	 * another thread, as a client that does not stop to read would; a server that hangs up on it
	 * ends the writing.
	 * @param path the path
	 * @param headers header lines after the request line, each ending with CRLF
	 * @param body writes the body
	 * @return the answer's bytes as text
	 */
	String rawPost(String path, String headers, BodyWriter body) throws IOException, InterruptedException {
		URI uri = URI.create(this.base);
		try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
			socket.setSoTimeout(20_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			Thread writer = new Thread(() -> {
				try {
					body.write(out);
					out.flush();
				}
				catch (IOException ex) {
					// The server hung up before the end of the body: its answer says why.
				}
			}, "raw-body-writer");
			writer.setDaemon(true);
			writer.start();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				answer.write(buffer, 0, n);
				if (answer.toString(StandardCharsets.UTF_8).contains("\"]}")) {
					break;
				}
			}
			writer.interrupt();
			return answer.toString(StandardCharsets.UTF_8);
		}
	}

	/** Writes a request body. */
	@FunctionalInterface
	interface BodyWriter {

		void write(OutputStream out) throws IOException;

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
