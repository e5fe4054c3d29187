package io.securestreams.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Accepted streams driven from application threads while their peers send, pipeline and go away,
 * and listeners (and contexts) closed under load: every accepted stream must end with legal
 * states and DESTROYING, with no overlapping callback and none after DESTROYING, and the
 * listener's view of its accepted streams must be empty at the end.
 */
class AcceptedStreamConcurrencyTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final ExecutorService app = Executors.newFixedThreadPool(4);

	private final List<Thread> peers = new ArrayList<>();

	private final AtomicBoolean running = new AtomicBoolean(true);

	@AfterEach
	void stopPeers() throws InterruptedException {
		this.running.set(false);
		for (Thread peer : this.peers) {
			peer.join(10_000);
		}
		this.app.shutdownNow();
	}

	/**
	 * The listener's handler: one {@link CallbackChecker} per stream. Accepted streams answer
	 * every request asynchronously: they take charge in SERVER_TXN, and an application thread
	 * sets the status, a header and the length; the body is "hello". A ws upgrade switches to a
	 * message handler that echoes (itself a checker).
	 */
	final class Streams implements StreamHandler {

		final Map<Long, CallbackChecker> checkers = new ConcurrentHashMap<>();

		final Map<Long, CallbackChecker> wsCheckers = new ConcurrentHashMap<>();

		private CallbackChecker of(SecureStream stream) {
			return this.checkers.computeIfAbsent(stream.id(), (id) -> new Answering());
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			StreamResult result = of(stream).onState(stream, state, ack);
			if (state == StreamState.SERVER_UPGRADE) {
				CallbackChecker echo = new Echo();
				this.wsCheckers.put(stream.id(), echo);
				stream.changeHandler(echo);
			}
			return result;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			return of(stream).onRx(stream, payload, flags);
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			return of(stream).onTx(stream, slot);
		}

	}

	final class Answering extends CallbackChecker {

		private volatile boolean ready;

		@Override
		protected StreamResult state(SecureStream stream, StreamState state) {
			if (state == StreamState.SERVER_TXN) {
				this.ready = false;
				stream.requestTx();
				AcceptedStreamConcurrencyTests.this.app.execute(() -> {
					stream.serverAck(0);
					stream.setMetadata("mime", "text/plain");
					this.ready = true;
					stream.requestTxLen(5);
				});
			}
			return StreamResult.OK;
		}

		@Override
		protected StreamResult tx(SecureStream stream, TxSlot slot) {
			if (!this.ready) {
				return StreamResult.TX_DONT_SEND;
			}
			this.ready = false;
			slot.buffer().put("hello".getBytes(StandardCharsets.US_ASCII));
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	static final class Echo extends CallbackChecker {

		private final List<byte[]> pending = new CopyOnWriteArrayList<>();

		@Override
		protected StreamResult rx(SecureStream stream, ByteBuffer payload, int flags) {
			byte[] copy = new byte[payload.remaining()];
			payload.get(copy);
			if ((flags & StreamFlags.SOM) != 0 && (flags & StreamFlags.EOM) != 0) {
				this.pending.add(copy);
				stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		protected StreamResult tx(SecureStream stream, TxSlot slot) {
			if (this.pending.isEmpty()) {
				return StreamResult.TX_DONT_SEND;
			}
			slot.buffer().put(this.pending.remove(0));
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	private SecureStreams start(boolean tls, Protocol protocol) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), protocol, tls)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol");
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
	}

	private static int port(SecureStream listener) {
		return ((InetSocketAddress) listener.localAddress()).getPort();
	}

	private void peer(String name, PeerLoop loop) {
		Thread thread = new Thread(() -> {
			Random random = new Random(name.hashCode());
			while (this.running.get()) {
				try {
					loop.once(random);
				}
				catch (Exception ex) {
					// Streams are destroyed under the peers' feet: failed calls are expected.
				}
			}
		}, name);
		this.peers.add(thread);
		thread.start();
	}

	interface PeerLoop {

		void once(Random random) throws Exception;

	}

	private static OkHttpClient okHttp(boolean tls, Protocol protocol) throws Exception {
		OkHttpClient.Builder builder = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5))
			.retryOnConnectionFailure(false);
		if (protocol == Protocol.H2 && !tls) {
			builder.protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
		}
		if (tls) {
			SSLContext ssl = SSLContext.getInstance("TLS");
			javax.net.ssl.TrustManagerFactory trust = TestPki.ca().toTrustManagerFactory();
			ssl.init(null, trust.getTrustManagers(), null);
			builder.sslSocketFactory(ssl.getSocketFactory(),
					(javax.net.ssl.X509TrustManager) trust.getTrustManagers()[0])
				.hostnameVerifier((host, session) -> true);
		}
		return builder.build();
	}

	/** OkHttp GETs and POSTs on kept-alive connections, and plain sockets that pipeline and leave. */
	private void startPeers(SecureStream listener, boolean tls, Protocol protocol) throws Exception {
		OkHttpClient client = okHttp(tls, protocol);
		String base = (tls ? "https" : "http") + "://127.0.0.1:" + port(listener);
		for (int i = 0; i < 3; i++) {
			peer("okhttp-" + i, (random) -> {
				Request.Builder request = new Request.Builder().url(base + "/r" + random.nextInt(100));
				if (random.nextBoolean()) {
					byte[] body = new byte[random.nextInt(40_000)];
					request.post(RequestBody.create(body));
				}
				try (Response response = client.newCall(request.build()).execute()) {
					response.body().bytes();
				}
			});
		}
		if (!tls) {
			byte[] three = ("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
					+ "abcdeGET /c HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
			peer("pipelining", (random) -> {
				try (Socket socket = new Socket("127.0.0.1", port(listener))) {
					socket.setSoTimeout(5000);
					OutputStream out = socket.getOutputStream();
					out.write(three);
					out.flush();
					InputStream in = socket.getInputStream();
					// Read part of the answers, then go away (now and then with a reset).
					in.readNBytes(random.nextInt(200));
					if (random.nextBoolean()) {
						socket.setSoLinger(true, 0);
					}
				}
			});
		}
	}

	@ParameterizedTest
	@CsvSource({ "false,H1", "true,H1", "false,H2", "true,H2" })
	void applicationThreadsDriveAcceptedStreamsWhilePeersComeAndGo(boolean tls, Protocol protocol) throws Exception {
		SecureStreams streams = start(tls, protocol);
		Streams handler = new Streams();
		SecureStream listener = streams.create("srv", handler);
		startPeers(listener, tls, protocol);
		AtomicInteger calls = new AtomicInteger();
		List<Thread> hammers = new ArrayList<>();
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
		for (int t = 0; t < 3; t++) {
			Random random = new Random(t);
			Thread hammer = new Thread(() -> {
				while (System.nanoTime() < end) {
					List<SecureStream> accepted = listener.acceptedStreams();
					if (accepted.isEmpty()) {
						Thread.onSpinWait();
						continue;
					}
					SecureStream stream = accepted.get(random.nextInt(accepted.size()));
					calls.incrementAndGet();
					switch (random.nextInt(12)) {
						case 0, 1, 2 -> stream.requestTx();
						case 3, 4 -> stream.requestTxLen(5);
						case 5, 6 -> stream.setMetadata("mime", "text/x-" + random.nextInt(10));
						case 7, 8 -> stream.serverAck((random.nextBoolean()) ? 0 : 404);
						case 9 -> stream.validityConfirmed();
						case 10 -> stream.connect();
						default -> {
							if (random.nextInt(20) == 0) {
								stream.destroy();
							}
						}
					}
				}
			}, "hammer-" + t);
			hammers.add(hammer);
			hammer.start();
		}
		for (Thread hammer : hammers) {
			hammer.join();
		}
		assertThat(calls.get()).isPositive();
		this.running.set(false);
		for (Thread peer : this.peers) {
			peer.join(10_000);
		}
		streams.close();
		assertEndedCleanly(handler, listener);
	}

	private static void assertEndedCleanly(Streams handler, SecureStream listener) {
		assertThat(listener.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.checkers).hasSizeGreaterThan(1);
		for (Map.Entry<Long, CallbackChecker> entry : handler.checkers.entrySet()) {
			CallbackChecker checker = entry.getValue();
			CallbackChecker ws = handler.wsCheckers.get(entry.getKey());
			String what = "stream " + entry.getKey() + " " + checker.states + " then "
					+ ((ws != null) ? ws.states : "-");
			assertThat(checker.problems).as(what).isEmpty();
			assertThat(checker.states).as(what).startsWith(StreamState.CREATING);
			if (ws != null) {
				assertThat(checker.states).as(what).endsWith(StreamState.SERVER_UPGRADE);
				assertThat(ws.problems).as(what).isEmpty();
				assertThat(ws.states).as(what).endsWith(StreamState.DESTROYING);
			}
			else {
				assertThat(checker.states).as(what).endsWith(StreamState.DESTROYING);
			}
		}
		assertThat(listener.acceptedStreams()).isEmpty();
	}

	/** JDK ws clients that upgrade, send a message and leave; sockets that stall mid-head or mid-TLS-handshake. */
	private void startUpgradersAndStallers(SecureStream listener, boolean tls) throws Exception {
		HttpClient.Builder builder = HttpClient.newBuilder();
		if (tls) {
			SSLContext ssl = SSLContext.getInstance("TLS");
			ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
			builder.sslContext(ssl);
		}
		HttpClient http = builder.build();
		URI uri = URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port(listener) + "/chat");
		for (int i = 0; i < 2; i++) {
			peer("ws-" + i, (random) -> {
				WebSocket ws = http.newWebSocketBuilder()
					.subprotocols("echo-protocol")
					.connectTimeout(Duration.ofSeconds(5))
					.buildAsync(uri, new WebSocket.Listener() {
					})
					.get(5, TimeUnit.SECONDS);
				ws.sendText("hi", true).get(5, TimeUnit.SECONDS);
				if (random.nextBoolean()) {
					ws.abort();
				}
				else {
					ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
				}
			});
		}
		peer("staller", (random) -> {
			try (Socket socket = new Socket("127.0.0.1", port(listener))) {
				if (random.nextBoolean()) {
					// Half a request head, or the first bytes of a TLS ClientHello.
					socket.getOutputStream().write(tls ? new byte[] { 0x16, 0x03, 0x01 }
							: "GET /x HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
				}
				Thread.sleep(random.nextInt(300));
			}
		});
	}

	@ParameterizedTest
	@CsvSource({ "false,false,H1", "true,false,H1", "false,true,H1", "true,true,H1", "false,false,H2", "true,false,H2",
			"true,true,H2" })
	void theListenerOrTheContextGoesUnderLoad(boolean tls, boolean closeContext, Protocol protocol) throws Exception {
		SecureStreams streams = start(tls, protocol);
		Streams handler = new Streams();
		SecureStream listener = streams.create("srv", handler);
		startPeers(listener, tls, protocol);
		startUpgradersAndStallers(listener, tls);
		Awaitility.await().atMost(WAIT).until(() -> handler.wsCheckers.size() >= 3 && handler.checkers.size() >= 20);
		if (closeContext) {
			streams.close();
		}
		else {
			listener.destroy();
			Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(streams.streams()).isEmpty());
		}
		assertEndedCleanly(handler, listener);
		this.running.set(false);
		for (Thread peer : this.peers) {
			peer.join(10_000);
		}
		assertThat(streams.streams()).isEmpty();
	}

	@ParameterizedTest
	@CsvSource({ "H1", "H2" })
	void destroyFromAnotherThreadWhileAnEndlessBodyIsBeingSent(Protocol protocol) throws Exception {
		SecureStreams streams = start(false, protocol);
		Map<Long, CallbackChecker> checkers = new ConcurrentHashMap<>();
		SecureStream listener = streams.create("srv", new StreamHandler() {
			private CallbackChecker of(SecureStream stream) {
				return checkers.computeIfAbsent(stream.id(), (id) -> new CallbackChecker() {
					@Override
					protected StreamResult state(SecureStream s, StreamState state) {
						if (state == StreamState.SERVER_TXN) {
							s.serverAck(0);
							s.requestTx();
						}
						return StreamResult.OK;
					}

					@Override
					protected StreamResult tx(SecureStream s, TxSlot slot) {
						while (slot.buffer().hasRemaining()) {
							slot.buffer().put((byte) 'x');
						}
						slot.flags((this.txCalls.get() == 1) ? StreamFlags.SOM : 0);
						return StreamResult.OK;
					}
				});
			}

			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				return of(stream).onState(stream, state, ack);
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				return of(stream).onTx(stream, slot);
			}
		});
		OkHttpClient client = okHttp(false, protocol);
		try (Response response = client.newCall(new Request.Builder().url("http://127.0.0.1:" + port(listener) + "/big")
			.build()).execute()) {
			assertThat(response.code()).isEqualTo(200);
			InputStream body = response.body().byteStream();
			assertThat(body.readNBytes(100_000)).hasSize(100_000);
			SecureStream accepted = listener.acceptedStreams().get(0);
			CallbackChecker checker = checkers.get(accepted.id());
			Awaitility.await().atMost(WAIT).until(() -> checker.txCalls.get() > 20);
			// Keep reading while the destroy lands, so that onTx is being called when it does.
			Thread reader = new Thread(() -> {
				try {
					body.transferTo(OutputStream.nullOutputStream());
				}
				catch (IOException ex) {
					// the end this test expects
				}
			});
			reader.start();
			accepted.destroy();
			assertThat(accepted.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
			reader.join(10_000);
			assertThat(reader.isAlive()).isFalse();
			assertThat(checker.problems).isEmpty();
			assertThat(checker.states).endsWith(StreamState.SERVER_TXN, StreamState.DISCONNECTED,
					StreamState.DESTROYING);
		}
		catch (IOException ex) {
			// OkHttp may notice the reset on close
		}
		Awaitility.await().atMost(WAIT).until(() -> listener.acceptedStreams().isEmpty());
	}

	@ParameterizedTest
	@CsvSource({ "RAW", "H1" })
	void nothingReachesAnAcceptedStreamAfterDestroyMeFromConnecting(Protocol protocol) throws Exception {
		SecureStreams streams = start(false, protocol);
		Map<Long, CallbackChecker> checkers = new ConcurrentHashMap<>();
		SecureStream listener = streams.create("srv", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				return checkers.computeIfAbsent(stream.id(), (id) -> new CallbackChecker() {
					@Override
					protected StreamResult state(SecureStream s, StreamState st) {
						return (st == StreamState.CONNECTING) ? StreamResult.DESTROY_ME : StreamResult.OK;
					}
				}).onState(stream, state, ack);
			}
		});
		try (Socket socket = new Socket("127.0.0.1", port(listener))) {
			socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			Awaitility.await().atMost(WAIT).until(() -> checkers.size() == 2 && checkers.entrySet().stream()
				.anyMatch((entry) -> entry.getKey() != listener.id() && entry.getValue().destroyed()));
		}
		for (CallbackChecker checker : checkers.values()) {
			assertThat(checker.problems).isEmpty();
		}
		assertThat(checkers.get(listener.id()).states).containsExactly(StreamState.CREATING);
		checkers.remove(listener.id());
		assertThat(checkers.values().iterator().next().states).containsExactly(StreamState.CREATING,
				StreamState.CONNECTING, StreamState.DESTROYING);
		assertThat(listener.acceptedStreams()).isEmpty();
	}

}
