package io.securestreams.server.ws;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.EchoClientHandler;
import io.securestreams.testsupport.EchoPlan;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.WsEchoHandler;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class WsServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	/** The listener's handler: switches each upgraded stream to its own echo handler. */
	static final class Upgrades extends StateRecorder {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			super.onState(stream, state, ack);
			if (state == StreamState.SERVER_UPGRADE) {
				stream.changeHandler(new WsEchoHandler());
			}
			return StreamResult.OK;
		}

	}

	private PolicyFragment policy() {
		PolicyFragment fragment = TestPolicies.base();
		for (String name : List.of("wsbin", "wstxt")) {
			TestPolicies.server(fragment.streamType(name), Protocol.H1, false)
				.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.WS_BINARY, name.equals("wsbin"));
		}
		return fragment;
	}

	private static int port(SecureStream listener) {
		return ((InetSocketAddress) listener.localAddress()).getPort();
	}

	@Test
	void jdkWebSocketClientGetsTenThousandMessagesEchoed() throws Exception {
		PolicyFragment fragment = policy();
		// Validity off (the "fast" scheme has none): on a loaded machine this run outlasts the 40 s
		// default ping, and the client's PONG, behind megabytes of echoes, can miss the 10 s after
		// it. The validity check has tests of its own (WsServerValidityTests).
		for (String name : List.of("wsbin", "wstxt")) {
			fragment.streamType(name).set(StreamTypeKey.RETRY, "fast");
		}
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		Upgrades upgrades = new Upgrades();
		SecureStream binary = this.streams.create("wsbin", upgrades);
		SecureStream text = this.streams.create("wstxt", upgrades);
		HttpClient http = HttpClient.newHttpClient();
		CompletableFuture<Void> binaryRun = CompletableFuture.runAsync(() -> echo(http, port(binary), false,
				EchoPlan.messages(5000, false, 11)));
		CompletableFuture<Void> textRun = CompletableFuture.runAsync(() -> echo(http, port(text), true,
				EchoPlan.messages(5000, true, 12)));
		CompletableFuture.allOf(binaryRun, textRun).get(90, TimeUnit.SECONDS);
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> binary.acceptedStreams().isEmpty() && text.acceptedStreams().isEmpty());
		// After SERVER_UPGRADE the stream's callbacks (DISCONNECTED, DESTROYING too) go to its echo handler.
		assertThat(upgrades.states).hasSize(4);
		upgrades.states.forEach((id, states) -> {
			if (id != binary.id() && id != text.id()) {
				assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED,
						StreamState.SERVER_UPGRADE);
			}
		});
	}

	private static void echo(HttpClient http, int port, boolean text, List<byte[]> messages) {
		List<String> problems = new CopyOnWriteArrayList<>();
		AtomicInteger received = new AtomicInteger();
		StringBuilder textBuffer = new StringBuilder();
		java.io.ByteArrayOutputStream binaryBuffer = new java.io.ByteArrayOutputStream();
		WebSocket.Listener listener = new WebSocket.Listener() {
			@Override
			public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
				textBuffer.append(data);
				if (last) {
					check(textBuffer.toString().getBytes(StandardCharsets.UTF_8));
					textBuffer.setLength(0);
				}
				webSocket.request(1);
				return null;
			}

			@Override
			public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
				byte[] bytes = new byte[data.remaining()];
				data.get(bytes);
				binaryBuffer.write(bytes, 0, bytes.length);
				if (last) {
					check(binaryBuffer.toByteArray());
					binaryBuffer.reset();
				}
				webSocket.request(1);
				return null;
			}

			// Kept so that a send failing with "Output closed" says why the connection went.
			@Override
			public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
				problems.add("closed by the server after " + received.get() + " messages: " + statusCode + " "
						+ reason);
				return null;
			}

			@Override
			public void onError(WebSocket webSocket, Throwable error) {
				problems.add("failed after " + received.get() + " messages: " + error);
			}

			private void check(byte[] got) {
				int index = received.getAndIncrement();
				if (!Arrays.equals(messages.get(index), got)) {
					problems.add("message " + index + " differs: sent " + messages.get(index).length + ", got "
							+ got.length);
				}
			}
		};
		WebSocket ws = http.newWebSocketBuilder().subprotocols("echo-protocol")
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"), listener).join();
		assertThat(ws.getSubprotocol()).isEqualTo("echo-protocol");
		try {
			send(ws, text, messages);
		}
		catch (CompletionException ex) {
			throw new AssertionError("sending failed; " + problems, ex);
		}
		Awaitility.await().atMost(Duration.ofSeconds(60))
			.until(() -> received.get() == messages.size() || !problems.isEmpty());
		assertThat(problems).isEmpty();
		ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
	}

	private static void send(WebSocket ws, boolean text, List<byte[]> messages) {
		for (int i = 0; i < messages.size(); i++) {
			byte[] message = messages.get(i);
			int split = (i % 3 == 0) ? message.length / 2 : message.length;
			if (text) {
				String whole = new String(message, StandardCharsets.UTF_8);
				int at = Math.min(whole.length(), split);
				if (at > 0 && at < whole.length() && Character.isLowSurrogate(whole.charAt(at))) {
					at++;
				}
				if (at > 0 && at < whole.length()) {
					ws.sendText(whole.substring(0, at), false).join();
					ws.sendText(whole.substring(at), true).join();
				}
				else {
					ws.sendText(whole, true).join();
				}
			}
			else if (split > 0 && split < message.length) {
				ws.sendBinary(ByteBuffer.wrap(message, 0, split), false).join();
				ws.sendBinary(ByteBuffer.wrap(message, split, message.length - split), true).join();
			}
			else {
				ws.sendBinary(ByteBuffer.wrap(message), true).join();
			}
		}
	}

	@Test
	void ourWsClientTalksToOurWsServerOverTls() {
		PolicyFragment fragment = TestPolicies.serverCertificate(policy());
		fragment.streamType("wsbin").set(StreamTypeKey.TLS, true).set(StreamTypeKey.SERVER_CERT, "srv_cert")
			.set(StreamTypeKey.SERVER_KEY, "srv_key");
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = this.streams.create("wsbin", new Upgrades());
		PolicyFragment withClient = fragment;
		withClient.streamType("cli")
			.set(StreamTypeKey.PROTOCOL, Protocol.WS)
			.set(StreamTypeKey.ENDPOINT, "localhost")
			.set(StreamTypeKey.PORT, port(listener))
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
			.set(StreamTypeKey.WS_BINARY, true)
			.set(StreamTypeKey.HTTP_URL, "/echo");
		this.streams.replacePolicy(withClient.build());
		EchoClientHandler echo = new EchoClientHandler(EchoPlan.messages(200, false, 21));
		this.streams.create("cli", echo).connect();
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> echo.done() || !echo.problems.isEmpty());
		assertThat(echo.problems).isEmpty();
	}

	@Test
	void anUpgradeOnAConnectionThatCarriedTransactionsContinuesOnANewAcceptedStream() throws Exception {
		this.streams = this.resources.start(SecureStreams.builder(policy().build()).eventLoopThreads(2));
		Upgrades upgrades = new Upgrades();
		SecureStream listener = this.streams.create("wstxt", upgrades);
		HttpClient http = HttpClient.newHttpClient();
		String base = "127.0.0.1:" + port(listener);
		assertThat(http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://" + base + "/first")).build(),
				java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
		CompletableFuture<String> echoed = new CompletableFuture<>();
		WebSocket ws = http.newWebSocketBuilder().subprotocols("echo-protocol")
			.buildAsync(URI.create("ws://" + base + "/echo"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					echoed.complete(data.toString());
					return null;
				}
			}).join();
		ws.sendText("after a transaction", true).join();
		assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("after a transaction");
		List<List<StreamState>> accepted = upgrades.accepted(listener.id());
		assertThat(accepted).hasSize(2);
		assertThat(accepted.get(0)).containsExactly(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED,
				StreamState.SERVER_TXN, StreamState.DISCONNECTED, StreamState.DESTROYING);
		assertThat(accepted.get(1)).containsExactly(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED,
				StreamState.SERVER_UPGRADE);
		ws.abort();
	}

	@Test
	void aServerWithASubprotocolListAnswersWithTheClientsFirstOneItAccepts() throws Exception {
		PolicyFragment fragment = policy();
		fragment.streamType("wstxt").set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol, chat");
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = this.streams.create("wstxt", new Upgrades());
		CompletableFuture<String> echoed = new CompletableFuture<>();
		WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("superchat", "chat")
			.buildAsync(URI.create("ws://127.0.0.1:" + port(listener) + "/echo"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					echoed.complete(data.toString());
					return null;
				}
			}).join();
		assertThat(ws.getSubprotocol()).isEqualTo("chat");
		ws.sendText("picked", true).join();
		assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("picked");
		ws.abort();
	}

	@Test
	void aWsProtocolServerAcceptsUpgradesWithoutSubprotocol() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("plainws"), Protocol.WS, false);
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = this.streams.create("plainws", new Upgrades());
		CompletableFuture<String> echoed = new CompletableFuture<>();
		WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + port(listener) + "/"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					echoed.complete(data.toString());
					return null;
				}
			}).join();
		assertThat(ws.getSubprotocol()).isEmpty();
		ws.sendText("no subprotocol", true).join();
		assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("no subprotocol");
		ws.abort();
	}

	@Test
	void plainRequestsStillReachTheHandlerOfAWsServer() throws Exception {
		this.streams = this.resources.start(SecureStreams.builder(policy().build()).eventLoopThreads(2));
		Upgrades upgrades = new Upgrades();
		SecureStream listener = this.streams.create("wstxt", upgrades);
		try (Response response = new OkHttpClient().newCall(new Request.Builder()
			.url("http://127.0.0.1:" + port(listener) + "/index.html").build()).execute()) {
			assertThat(response.code()).isEqualTo(404);
		}
	}

}
