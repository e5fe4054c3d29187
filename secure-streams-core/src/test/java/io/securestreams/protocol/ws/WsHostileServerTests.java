package io.securestreams.protocol.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ws servers that break the protocol, written byte by byte: the upgrade answer or a frame after
 * it is wrong. The client fails the attempt (before the upgrade) or cuts the connection off
 * (after it) with a log line naming the fault, delivers nothing of the bad frame, and the stream
 * ends in a legal state sequence.
 */
class WsHostileServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private SecureStreams start(int port) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), port, "/").set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.OPPORTUNISTIC, true);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	@Test
	void aWrongAcceptKeyFailsTheAttempt() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept("not the key") + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII)))) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("upgrade refused by 127.0.0.1")).as(this.logs.messages().toString()).isTrue();
			assertThat(this.logs.contains("Invalid challenge")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void nonAsciiUpgradeAnswerHeaderBytesReachMetadataAsSent() throws Exception {
		byte[] cafe = "café".getBytes(StandardCharsets.UTF_8);
		try (Peer peer = new Peer((key, out, in) -> {
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + accept(key) + "\r\nX-Note: ").getBytes(StandardCharsets.US_ASCII));
			out.write(cafe);
			out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		})) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.ws(fragment.streamType("ws"), peer.port(), "/")
				.set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("note", "x-note:")));
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			AtomicReference<byte[]> note = new AtomicReference<>();
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.CONNECTED) {
					note.set(stream.metadataBytes("note"));
				}
				return StreamResult.OK;
			});
			streams.create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			assertThat(note.get()).isEqualTo(cafe);
		}
	}

	@Test
	void aSwitchWithoutUpgradeHeaderFailsTheAttempt() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> out.write(("HTTP/1.1 101 Switching Protocols\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII)))) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
		}
	}

	@Test
	void anExtensionTheClientDidNotOfferFailsTheAttempt() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n"
				+ "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII)))) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("permessage-deflate")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void aSwitchWithoutConnectionUpgradeFailsTheAttempt() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				+ "Connection: keep-alive\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII)))) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
		}
	}

	@Test
	void aFrameInTheSameSegmentAsTheUpgradeAnswerIsDeliveredAfterConnected() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> {
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			all.write(upgrade(key));
			all.write(frame(true, 2, false, new byte[] { 1, 2, 3 }));
			out.write(all.toByteArray());
		})) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 3);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
			assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		}
	}

	static List<Arguments> violations() {
		byte[] big = new byte[10];
		big[0] = (byte) 0x82;
		big[1] = 127;
		// 2 MiB announced: above the default 1 MiB limit.
		big[7] = 0x20;
		return List.of(Arguments.of("masked frame from the server", frame(true, 2, true, new byte[] { 1, 2 })),
				Arguments.of("frame above the size limit", big),
				Arguments.of("fragmented ping", frame(false, 9, false, new byte[] { 1 })),
				Arguments.of("continuation without a start", frame(true, 0, false, new byte[] { 1 })),
				Arguments.of("close with a 1-byte body", frame(true, 8, false, new byte[] { 3 })),
				Arguments.of("close with an invalid code", frame(true, 8, false, new byte[] { 0x03, (byte) 0xe7 })),
				Arguments.of("reserved opcode", frame(true, 3, false, new byte[] { 1 })),
				Arguments.of("rsv bit without extension", rsv(frame(true, 2, false, new byte[] { 1 }))),
				Arguments.of("ping over 125 bytes", frame(true, 9, false, new byte[126])),
				Arguments.of("new message inside a fragmented one",
						concat(frame(false, 2, false, new byte[] { 1 }), frame(true, 2, false, new byte[] { 2 }))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("violations")
	void aProtocolViolationAfterTheUpgradeCutsTheConnectionOff(String what, byte[] bad) throws Exception {
		try (Peer peer = new Peer((key, out, in) -> {
			out.write(upgrade(key));
			out.write(frame(true, 2, false, "ok".getBytes(StandardCharsets.US_ASCII)));
			out.flush();
			Thread.sleep(200);
			out.write(bad);
		})) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> peer.clientsGone.get() == 1);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).as(what).startsWith("ok");
			assertThat(this.logs.contains("ws protocol violation")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void aServerThatNeverAnswersTheUpgradeFailsTheAttemptAfterTheHandshakeTimeout() throws Exception {
		// Reads the request, answers nothing and reads on until the client closes.
		try (Peer peer = new Peer((key, out, in) -> {
		})) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.ws(fragment.streamType("ws"), peer.port(), "/").set(StreamTypeKey.RETRY, null);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(1)
				.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(Duration.ofMillis(500))));
			RecordingHandler handler = new RecordingHandler();
			streams.create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(5));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("no ws upgrade answer")).as(this.logs.messages().toString()).isTrue();
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> peer.clientsGone.get() == 1);
		}
	}

	@Test
	void aStreamDestroyedWhileWaitingForTheUpgradeLeavesQuietly() throws Exception {
		// Reads the request, answers nothing and reads on until the client closes.
		try (Peer peer = new Peer((key, out, in) -> {
		})) {
			RecordingHandler handler = new RecordingHandler();
			SecureStreams streams = start(peer.port());
			var stream = streams.create("ws", handler);
			stream.connect();
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> peer.requests.size() == 1);
			stream.destroy();
			handler.await(StreamState.DESTROYING, Duration.ofSeconds(5));
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> peer.clientsGone.get() == 1);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "DESTROYING");
		}
	}

	@Test
	void aProtocolViolationOfTheOnwardServerReachesAProxiedClientAsDisconnected() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> {
			out.write(upgrade(key));
			out.write(frame(true, 2, false, "ok".getBytes(StandardCharsets.US_ASCII)));
			out.flush();
			Thread.sleep(200);
			out.write(frame(true, 2, true, new byte[] { 1, 2 }));
		})) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.ws(fragment.streamType("ws"), peer.port(), "/").set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.OPPORTUNISTIC, true);
			SecureStreams streams = this.resources.start(Mode.PROXIED, fragment.build()).streams();
			RecordingHandler handler = new RecordingHandler();
			streams.create("ws", handler).connect();
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> peer.clientsGone.get() == 1);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("ok");
		}
	}

	@Test
	void anOversizedUpgradeAnswerFailsTheAttempt() throws Exception {
		// 20 KiB of headers, above the 16 KiB limit; what comes before the limit looks like an upgrade.
		try (Peer peer = new Peer((key, out, in) -> out.write(upgradeWithHeaders(key, 200)))) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("malformed upgrade answer from 127.0.0.1"))
				.as(this.logs.messages().toString())
				.isTrue();
		}
	}

	@Test
	void anUpgradeAnswerWithinTheHeaderLimitIsAccepted() throws Exception {
		// 12 KiB of headers: more than Netty's default of 8 KiB, within ProtocolLimits' 16 KiB.
		try (Peer peer = new Peer((key, out, in) -> out.write(upgradeWithHeaders(key, 120)))) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		}
	}

	// An upgrade answer with that many extra headers of about 100 bytes each after the real ones.
	private static byte[] upgradeWithHeaders(String key, int extra) {
		StringBuilder answer = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n");
		for (int i = 0; i < extra; i++) {
			answer.append(String.format("X-Filler-%04d: ", i)).append("y".repeat(84)).append("\r\n");
		}
		return answer.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
	}

	@Test
	void aServerThatClosesButNeverReadsIsCutOffAfterTheBoundedWait() throws Exception {
		try (Peer peer = new Peer((key, out, in) -> {
			out.write(upgrade(key));
			out.flush();
			// Never reads: the client's data piles up in the socket buffers, and so would its reply.
			Thread.sleep(1500);
			out.write(frame(true, 8, false, new byte[] { 0x03, (byte) 0xe8 }));
			out.flush();
			Thread.sleep(30_000);
		})) {
			RecordingHandler handler = new RecordingHandler().send(new byte[64 * 1024 * 1024], 16 * 1024);
			start(peer.port()).create("ws", handler).requestTx();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			// The close came at 1.5 s; the reply cannot go out: 2 s of waiting, as for our own close.
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(8));
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"DISCONNECTED");
		}
	}

	@Test
	void aPingFloodFromAServerThatDoesNotReadDoesNotQueueAPongForEachPing() throws Exception {
		int pings = 100_000;
		AtomicLong pongBytes = new AtomicLong();
		AtomicLong heldWhileNotReading = new AtomicLong(-1);
		ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
		long before = metric.usedDirectMemory();
		try (Peer peer = new Peer((key, out, in) -> {
			out.write(upgrade(key));
			byte[] ping = frame(true, 9, false, new byte[125]);
			byte[] batch = new byte[ping.length * 1000];
			for (int i = 0; i < 1000; i++) {
				System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
			}
			for (int i = 0; i < pings / 1000; i++) {
				out.write(batch);
			}
			out.flush();
			Thread.sleep(1000);
			heldWhileNotReading.set(metric.usedDirectMemory() - before);
			// Reads at last: each pong is 131 bytes (a masked 125-byte payload).
			byte[] sink = new byte[65536];
			int n;
			while ((n = in.read(sink)) >= 0) {
				pongBytes.addAndGet(n);
			}
		})) {
			RecordingHandler handler = new RecordingHandler();
			start(peer.port()).create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> heldWhileNotReading.get() >= 0);
			assertThat(heldWhileNotReading.get()).as("direct memory held while the server does not read")
				.isLessThan(4 * 1024 * 1024);
			// The latest ping is answered once the connection drains.
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pongBytes.get() > 0);
			Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
				.until(() -> pongBytes.get() % 131 == 0);
			assertThat(pongBytes.get() / 131).isLessThan(pings);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		}
	}

	private static byte[] upgrade(String key) {
		return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	static byte[] frame(boolean fin, int opcode, boolean masked, byte[] payload) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write((fin ? 0x80 : 0) | opcode);
		int mask = masked ? 0x80 : 0;
		if (payload.length < 126) {
			out.write(mask | payload.length);
		}
		else if (payload.length < 65536) {
			out.write(mask | 126);
			out.write(payload.length >> 8);
			out.write(payload.length & 0xff);
		}
		else {
			out.write(mask | 127);
			for (int i = 7; i >= 0; i--) {
				out.write((int) (((long) payload.length >> (8 * i)) & 0xff));
			}
		}
		if (masked) {
			byte[] key = { 1, 2, 3, 4 };
			out.writeBytes(key);
			for (int i = 0; i < payload.length; i++) {
				out.write(payload[i] ^ key[i % 4]);
			}
		}
		else {
			out.writeBytes(payload);
		}
		return out.toByteArray();
	}

	private static byte[] rsv(byte[] frame) {
		frame[0] |= 0x40;
		return frame;
	}

	static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

	static String accept(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			return Base64.getEncoder()
				.encodeToString(sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** What a peer does once it read the upgrade request. */
	interface Script {

		void run(String key, OutputStream out, InputStream in) throws Exception;

	}

	/**
	 * A peer on 127.0.0.1 that runs a script on each connection after reading the request head,
	 * then reads until the client closes, counting the clients that went away.
	 */
	static final class Peer implements AutoCloseable {

		final ServerSocket socket;

		final AtomicInteger clientsGone = new AtomicInteger();

		final List<Socket> clients = new CopyOnWriteArrayList<>();

		final List<String> requests = new CopyOnWriteArrayList<>();

		Peer(Script script) throws IOException {
			this.socket = new ServerSocket();
			// Small, so that what the client sends piles up on its side when this peer stops reading.
			this.socket.setReceiveBufferSize(8192);
			this.socket.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
			Thread acceptor = new Thread(() -> {
				while (!this.socket.isClosed()) {
					try {
						Socket client = this.socket.accept();
						this.clients.add(client);
						Thread serving = new Thread(() -> serve(client, script), "hostile-ws-client");
						serving.setDaemon(true);
						serving.start();
					}
					catch (IOException ex) {
						return;
					}
				}
			}, "hostile-ws");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		private void serve(Socket client, Script script) {
			try (client) {
				InputStream in = client.getInputStream();
				String head = readHead(in);
				this.requests.add(head);
				OutputStream out = client.getOutputStream();
				script.run(header(head, "sec-websocket-key"), out, in);
				out.flush();
				byte[] sink = new byte[4096];
				while (in.read(sink) >= 0) {
					// until the client closes
				}
			}
			catch (Exception ex) {
				// the client went away, or the script ended
			}
			finally {
				this.clientsGone.incrementAndGet();
			}
		}

		private static String readHead(InputStream in) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			int matched = 0;
			byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
			while (matched < 4) {
				int b = in.read();
				if (b < 0) {
					throw new IOException("closed during the head");
				}
				head.write(b);
				matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
			}
			return head.toString(StandardCharsets.US_ASCII);
		}

		private static String header(String head, String name) {
			for (String line : head.split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
					return line.substring(colon + 1).trim();
				}
			}
			return "";
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			for (Socket client : this.clients) {
				client.close();
			}
		}

	}

}
