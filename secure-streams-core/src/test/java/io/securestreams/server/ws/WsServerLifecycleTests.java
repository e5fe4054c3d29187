package io.securestreams.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end of upgraded ws streams on the server: destroyed by the application, or asking to be
 * destroyed while frames keep coming.
 */
class WsServerLifecycleTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Hands every upgraded stream to the message handler the test gives, and remembers the stream. */
	static class Upgrades extends StateRecorder {

		final CompletableFuture<SecureStream> upgraded = new CompletableFuture<>();

		final CallbackChecker messages;

		Upgrades(CallbackChecker messages) {
			this.messages = messages;
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			super.onState(stream, state, ack);
			if (state == StreamState.SERVER_UPGRADE) {
				stream.changeHandler(this.messages);
				this.upgraded.complete(stream);
			}
			return StreamResult.OK;
		}

	}

	/** A JDK client that records what it got: text messages, and the close status (or -1 for an abrupt end). */
	static final class Client implements WebSocket.Listener {

		final List<String> texts = new CopyOnWriteArrayList<>();

		final CompletableFuture<Integer> closed = new CompletableFuture<>();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.texts.add(data.toString());
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.complete(-1);
		}

	}

	private SecureStream listen(Upgrades upgrades) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("wsrv"), Protocol.H1, false)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		return streams.create("wsrv", upgrades);
	}

	private static WebSocket connect(SecureStream listener, Client client) {
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		return HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols("echo-protocol")
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), client)
			.join();
	}

	private static Socket upgradedSocket(SecureStream listener) throws IOException {
		Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
		socket.setSoTimeout(10_000);
		socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n"
				+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: echo-protocol\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		assertThat(ScriptedPeer.readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
		return socket;
	}

	/** A masked client TEXT frame (mask 0, so the payload is sent as it is), under 126 bytes. */
	private static byte[] maskedText(String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(0x81);
		frame.write(0x80 | payload.length);
		frame.writeBytes(new byte[4]);
		frame.writeBytes(payload);
		return frame.toByteArray();
	}

	@Test
	void destroyingAnUpgradedStreamFromAnotherThreadEndsWithTheClosingHandshake() throws Exception {
		destroyAndExpectTheClosingHandshake(false);
	}

	@Test
	void destroyingTheListenerEndsItsUpgradedStreamsWithTheClosingHandshake() throws Exception {
		destroyAndExpectTheClosingHandshake(true);
	}

	// docs/streams.md: a ws connection the stream closes (destroy() included) ends with the closing
	// handshake, so the client sees a normal closure rather than a dropped connection; and a
	// listener's accepted streams end as their destroy() ends them (docs/servers.md), where the
	// listener used to close their connections itself.
	private void destroyAndExpectTheClosingHandshake(boolean destroyListener) throws Exception {
		CallbackChecker messages = new CallbackChecker();
		Upgrades upgrades = new Upgrades(messages);
		SecureStream listener = listen(upgrades);
		Client client = new Client();
		WebSocket ws = connect(listener, client);
		SecureStream accepted = upgrades.upgraded.get();
		(destroyListener ? listener : accepted).destroy();
		assertThat(client.closed).succeedsWithin(WAIT).isEqualTo(1000);
		assertThat(accepted.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(messages.problems).isEmpty();
		assertThat(messages.states).containsExactly(StreamState.DISCONNECTED, StreamState.DESTROYING);
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().isEmpty());
		ws.abort();
	}

	@Test
	void noFrameReachesAHandlerThatAskedToBeDestroyed() throws Exception {
		List<String> afterDestroyMe = new CopyOnWriteArrayList<>();
		CallbackChecker messages = new CallbackChecker() {

			private boolean destroyAsked;

			@Override
			protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
				String text = StandardCharsets.UTF_8.decode(payload).toString();
				if (this.destroyAsked) {
					afterDestroyMe.add(text);
				}
				if (text.equals("stop") && (flags & StreamFlags.EOM) != 0) {
					this.destroyAsked = true;
					return StreamResult.DESTROY_ME;
				}
				return StreamResult.OK;
			}
		};
		Upgrades upgrades = new Upgrades(messages);
		SecureStream listener = listen(upgrades);
		try (Socket socket = upgradedSocket(listener)) {
			SecureStream accepted = upgrades.upgraded.get();
			// One write, so that the frames after "stop" arrive in the same read.
			ByteArrayOutputStream frames = new ByteArrayOutputStream();
			frames.writeBytes(maskedText("stop"));
			for (int i = 0; i < 50; i++) {
				frames.writeBytes(maskedText("more" + i));
			}
			socket.getOutputStream().write(frames.toByteArray());
			socket.getOutputStream().flush();
			assertThat(accepted.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		}
		assertThat(messages.problems).isEmpty();
		assertThat(afterDestroyMe).as("messages delivered after DESTROY_ME").isEmpty();
		assertThat(messages.states).endsWith(StreamState.DESTROYING);
	}

	/** Sends its messages the moment the upgrade is answered. Public: Jetty binds it with a public lookup. */
	public static final class EagerSender extends Session.Listener.AbstractAutoDemanding {

		final CountDownLatch closed = new CountDownLatch(1);

		@Override
		public void onWebSocketOpen(Session session) {
			super.onWebSocketOpen(session);
			for (int i = 0; i < 100; i++) {
				session.sendText("m" + i, Callback.NOOP);
			}
		}

		@Override
		public void onWebSocketClose(int statusCode, String reason) {
			this.closed.countDown();
		}

	}

	@Test
	void framesSentRightAfterTheUpgradeAllReachTheHandlerSwitchedToAtServerUpgrade() throws Exception {
		List<String> received = new CopyOnWriteArrayList<>();
		CallbackChecker messages = new CallbackChecker() {
			@Override
			protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
				received.add(StandardCharsets.UTF_8.decode(payload).toString());
				return StreamResult.OK;
			}
		};
		List<String> toTheListenerHandler = new CopyOnWriteArrayList<>();
		Upgrades upgrades = new Upgrades(messages) {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				toTheListenerHandler.add(StandardCharsets.UTF_8.decode(payload).toString());
				return StreamResult.OK;
			}
		};
		SecureStream listener = listen(upgrades);
		WebSocketClient client = new WebSocketClient();
		client.start();
		try {
			ClientUpgradeRequest request = new ClientUpgradeRequest();
			request.setSubProtocols("echo-protocol");
			EagerSender sender = new EagerSender();
			int port = ((InetSocketAddress) listener.localAddress()).getPort();
			Session session = client.connect(sender, URI.create("ws://127.0.0.1:" + port + "/chat"), request)
				.get(10, TimeUnit.SECONDS);
			Awaitility.await().atMost(WAIT).until(() -> received.size() >= 100);
			assertThat(received).hasSize(100).first().isEqualTo("m0");
			assertThat(received).last().isEqualTo("m99");
			assertThat(toTheListenerHandler).isEmpty();
			session.close();
			assertThat(sender.closed.await(10, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			client.stop();
		}
		assertThat(upgrades.upgraded.get().whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(messages.problems).isEmpty();
		assertThat(messages.states).containsExactly(StreamState.DISCONNECTED, StreamState.DESTROYING);
	}

}
