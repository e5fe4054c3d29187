package io.securestreams.docs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the example of {@code docs/servers.md}.
 */
class HelloServerExampleTests {

	@Test
	void theDocumentedServerAnswersHttpAndWs() throws Exception {
		TransitionGuard guard = new TransitionGuard();
		try (HelloServerExample example = HelloServerExample.start(0, guard)) {
			HttpClient client = HttpClient.newHttpClient();
			String base = "127.0.0.1:" + example.port();
			HttpResponse<String> hello = client.send(
					HttpRequest.newBuilder(URI.create("http://" + base + "/hello?name=docs")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(hello.statusCode()).isEqualTo(200);
			assertThat(hello.headers().firstValue("content-type")).hasValue("text/plain");
			assertThat(hello.body()).isEqualTo("hello docs");
			HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create("http://" + base + "/elsewhere"))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(other.statusCode()).isEqualTo(404);
			CompletableFuture<String> echoed = new CompletableFuture<>();
			WebSocket ws = client.newWebSocketBuilder().subprotocols("chat")
				.buildAsync(URI.create("ws://" + base + "/chat"), new WebSocket.Listener() {
					@Override
					public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
						echoed.complete(data.toString());
						return null;
					}
				}).join();
			ws.sendText("hi there", true).join();
			assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hi there");
			ws.abort();
		}
		guard.assertNoViolations();
	}

}
