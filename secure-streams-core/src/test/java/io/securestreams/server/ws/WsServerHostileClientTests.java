package io.securestreams.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

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
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.WsEchoHandler;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile ws clients, written frame by frame on a plain socket, against an accepted ws stream
 * (RFC 6455 sections 5.1, 5.2, 5.4, 5.5, 7.4 and 8.1): the offending connection gets a close
 * frame with the RFC's code and is cut off with a log line naming the reason, its stream ends
 * DISCONNECTED then DESTROYING, and another ws connection on the same single event loop keeps
 * being echoed.
 */
class WsServerHostileClientTests {

	private static final List<StreamState> UPGRADED_THEN_GONE = List.of(StreamState.CREATING,
			StreamState.CONNECTING, StreamState.CONNECTED, StreamState.SERVER_UPGRADE, StreamState.DISCONNECTED,
			StreamState.DESTROYING);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = new LogCapture();

	private final StateRecorder recorder = new StateRecorder() {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			super.onState(stream, state, ack);
			if (state == StreamState.SERVER_UPGRADE) {
				stream.changeHandler(new Recorded(this, nextHandler()));
				// A handler that sends by itself (Streamer) starts at once; the others decline.
				stream.requestTx();
			}
			return StreamResult.OK;
		}
	};

	// The message handler of the next upgraded stream: the first one (the well-behaved client)
	// echoes, later ones get what the test chose.
	private final List<StreamHandler> handlers = new CopyOnWriteArrayList<>();

	private Supplier<StreamHandler> hostileHandler = WsEchoHandler::new;

	private SecureStream listener;

	private RawWsClient good;

	@AfterEach
	void closeLogs() {
		this.logs.close();
	}

	private synchronized StreamHandler nextHandler() {
		StreamHandler handler = this.handlers.isEmpty() ? new WsEchoHandler() : this.hostileHandler.get();
		this.handlers.add(handler);
		return handler;
	}

	/** Starts a listener on one event loop and upgrades the well-behaved client. */
	private void start() throws IOException {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("wssrv"), Protocol.H1, false).set(StreamTypeKey.WS_SUBPROTOCOL, "echo");
		SecureStreams streams = this.resources.start(
				SecureStreams.builder(fragment.build()).eventLoopThreads(1).listener(this.resources.guard()));
		this.listener = streams.create("wssrv", this.recorder);
		this.good = this.resources.closing(RawWsClient.upgrade(port(), "echo"));
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.handlers.size() == 1);
	}

	private RawWsClient hostile() throws IOException {
		RawWsClient client = this.resources.closing(RawWsClient.upgrade(port(), "echo"));
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.handlers.size() == 2);
		return client;
	}

	private int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Sends frames from the hostile client, then expects a close frame with the code, the
	 * server's end of the connection, the log line and the hostile stream's states, and an echo
	 * on the good connection.
	 */
	private void cutOffWith(int closeCode, String reason, byte[]... frames) throws IOException {
		start();
		try (RawWsClient bad = hostile()) {
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			for (byte[] frame : frames) {
				all.write(frame);
			}
			bad.send(all.toByteArray());
			assertThat(bad.readCloseCode()).isEqualTo(closeCode);
			assertThat(bad.read()).isEqualTo("EOF");
		}
		assertCutOff(reason);
	}

	private void assertCutOff(String reason) throws IOException {
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> this.logs.contains("cutting off") && this.logs.contains(reason));
		assertHostileStreamGone();
		goodStillEchoed();
	}

	private void assertHostileStreamGone() {
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.listener.acceptedStreams().size() == 1);
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.recorder.accepted(this.listener.id())).hasSize(2)
				.element(1)
				.isEqualTo(UPGRADED_THEN_GONE));
	}

	private void goodStillEchoed() throws IOException {
		this.good.send(RawWsClient.frame(true, 1, ascii("still-served")));
		assertThat(this.good.read()).isEqualTo("F1:still-served");
	}

	/**
	 * A violation in the frames a client sends in the same write as its upgrade request is decoded
	 * while the 101 is being written: it used to close the connection before the 101 went out,
	 * without a close frame or the warning. It is answered as a later one is, after the 101.
	 */
	@Test
	void aViolationSentWithTheUpgradeRequestIsAnsweredAfterThe101With1002() throws IOException {
		start();
		try (Socket socket = new Socket("127.0.0.1", port())) {
			socket.setSoTimeout(10_000);
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			all.write(ascii("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 13\r\n"
					+ "Sec-WebSocket-Protocol: echo\r\n\r\n"));
			all.write(RawWsClient.frame(true, 1, ascii("early")));
			all.write(RawWsClient.frame(true, 0, ascii("no start")));
			socket.getOutputStream().write(all.toByteArray());
			assertThat(ScriptedPeer.readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
			RawWsClient bad = RawWsClient.over(socket);
			assertThat(bad.readCloseCode()).isEqualTo(1002);
			assertThat(bad.read()).isEqualTo("EOF");
		}
		assertCutOff("continuation");
	}

	@Test
	void anUnmaskedFrameIsClosedWith1002() throws IOException {
		cutOffWith(1002, "not masked", RawWsClient.frame(0x81, false, ascii("hi")));
	}

	@Test
	void aPingLongerThan125BytesIsClosedWith1002() throws IOException {
		cutOffWith(1002, "control frame with payload length > 125", RawWsClient.frame(true, 9, new byte[126]));
	}

	@Test
	void aCloseLongerThan125BytesIsClosedWith1002() throws IOException {
		byte[] payload = new byte[200];
		payload[0] = 0x03;
		payload[1] = (byte) 0xe8;
		cutOffWith(1002, "control frame with payload length > 125", RawWsClient.frame(true, 8, payload));
	}

	@Test
	void aFragmentedPingIsClosedWith1002() throws IOException {
		cutOffWith(1002, "fragmented control frame", RawWsClient.frame(false, 9, ascii("p")),
				RawWsClient.frame(true, 0, ascii("q")));
	}

	@ParameterizedTest
	@ValueSource(ints = { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF })
	void aReservedOpcodeIsClosedWith1002(int opcode) throws IOException {
		cutOffWith(1002, "reserved opcode", RawWsClient.frame(true, opcode, ascii("x")));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x40, 0x20, 0x10 })
	void aReservedBitWithoutAnExtensionIsClosedWith1002(int rsv) throws IOException {
		cutOffWith(1002, "RSV != 0 and no extension negotiated", RawWsClient.frame(0x81 | rsv, true, ascii("x")));
	}

	@Test
	void aContinuationWithNoMessageStartedIsClosedWith1002() throws IOException {
		cutOffWith(1002, "continuation data frame outside fragmented message", RawWsClient.frame(true, 0, ascii("x")));
	}

	@Test
	void aNewMessageWhileOneIsOpenIsClosedWith1002() throws IOException {
		cutOffWith(1002, "non-continuation data frame while inside fragmented message",
				RawWsClient.frame(false, 1, ascii("ab")), RawWsClient.frame(true, 2, ascii("cd")));
	}

	/** The decoder finds these; RFC 6455 5.5.1 and 7.1.7 want a close frame in answer. */
	@ParameterizedTest
	@ValueSource(ints = { 999, 1004, 1005, 1006, 1015, 2999 })
	void aCloseWithAnInvalidStatusCodeIsClosedWith1002(int code) throws IOException {
		cutOffWith(1002, "Invalid close frame getStatus code: " + code,
				RawWsClient.frame(true, 8, new byte[] { (byte) (code >>> 8), (byte) code }));
	}

	/** Netty's decoder lets these through; RFC 6455 7.4 defines none above 4999. */
	@ParameterizedTest
	@ValueSource(ints = { 5000, 65535 })
	void aCloseWithAStatusCodeAbove4999IsClosedWith1002(int code) throws IOException {
		cutOffWith(1002, "close status code " + code,
				RawWsClient.frame(true, 8, new byte[] { (byte) (code >>> 8), (byte) code }));
	}

	@Test
	void aCloseReasonThatIsNotUtf8IsClosedWith1007() throws IOException {
		cutOffWith(1007, "bytes are not UTF-8",
				RawWsClient.frame(true, 8, new byte[] { 0x03, (byte) 0xe8, (byte) 0xc3, 0x28 }));
	}

	@Test
	void aCloseWithAOneBytePayloadIsClosedWith1002() throws IOException {
		cutOffWith(1002, "close control frame with payload len 1", RawWsClient.frame(true, 8, new byte[] { 0x03 }));
	}

	/**
	 * Only the header of a frame above the 1 MiB limit is sent: the answer must not wait for (and
	 * gather) a payload that never comes.
	 */
	@Test
	void aFrameAboveTheSizeLimitIsClosedWith1009BeforeItsPayload() throws IOException {
		byte[] header = { (byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 0, 0, 0x20, 0, 0, 9, 8, 7, 6 };
		cutOffWith(1009, "Max frame length of", header);
	}

	@Test
	void aClientThatVanishesInTheMiddleOfAMessageEndsItsStreamOnly() throws IOException {
		FragmentCounter counter = new FragmentCounter();
		this.hostileHandler = () -> counter;
		start();
		try (RawWsClient bad = hostile()) {
			bad.send(RawWsClient.frame(false, 2, new byte[1000]));
			bad.send(Arrays.copyOf(RawWsClient.frame(false, 0, new byte[1000]), 500));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter.count.get() == 1);
		}
		assertHostileStreamGone();
		assertThat(counter.illegal).isEmpty();
		assertThat(counter.lastFlags.get()).isEqualTo(StreamFlags.SOM);
		goodStillEchoed();
	}

	/**
	 * Not validated, as by libwebsockets unless its context sets
	 * {@code LWS_SERVER_OPTION_VALIDATE_UTF8} (no policy key does): the bytes of a TEXT message
	 * reach the handler as sent, and the connection stays open.
	 */
	@Test
	void aTextMessageThatIsNotUtf8IsDeliveredAsSent() throws IOException {
		start();
		try (RawWsClient bad = hostile()) {
			bad.send(RawWsClient.frame(true, 1, new byte[] { (byte) 0xc3, 0x28, (byte) 0xff }));
			assertThat(bad.read()).isEqualTo("F1:" + new String(new byte[] { (byte) 0xc3, 0x28, (byte) 0xff },
					StandardCharsets.ISO_8859_1));
			bad.send(RawWsClient.frame(true, 8, new byte[] { 0x03, (byte) 0xe8 }));
			assertThat(bad.read()).isEqualTo("F8:1000");
			assertThat(bad.read()).isEqualTo("EOF");
		}
		assertHostileStreamGone();
		goodStillEchoed();
	}

	@Test
	void endlessContinuationFramesAreDeliveredOneByOneWithLegalFlags() throws IOException {
		FragmentCounter counter = new FragmentCounter();
		this.hostileHandler = () -> counter;
		start();
		int fragments = 20_000;
		byte[] chunk = new byte[100];
		try (RawWsClient bad = hostile()) {
			bad.send(RawWsClient.frame(false, 2, chunk));
			ByteArrayOutputStream batch = new ByteArrayOutputStream();
			for (int i = 1; i < fragments; i++) {
				batch.write(RawWsClient.frame(false, 0, chunk));
				if (batch.size() > 64 * 1024) {
					bad.send(batch.toByteArray());
					batch.reset();
				}
			}
			bad.send(batch.toByteArray());
			// 2 MB into one message, beyond the 1 MiB frame limit: each fragment has already
			// reached the handler on its own, nothing is gathered.
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter.count.get() == fragments);
			goodStillEchoed();
			bad.send(RawWsClient.frame(true, 0, chunk));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter.count.get() == fragments + 1);
			assertThat(counter.largest.get()).isEqualTo(chunk.length);
			assertThat(counter.illegal).isEmpty();
			assertThat(counter.lastFlags.get()).isEqualTo(StreamFlags.EOM);
		}
		assertHostileStreamGone();
	}

	@Test
	void aClientThatNeverReadsPausesTheServersTx() throws IOException {
		Streamer streamer = new Streamer();
		this.hostileHandler = () -> streamer;
		start();
		try (RawWsClient bad = hostile()) {
			// The socket buffers fill up; then onTx must stop being called until the client reads.
			Awaitility.await()
				.atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> streamer.bytes.get() > 0 && System.nanoTime() - streamer.lastTx.get() > 1_000_000_000L);
			assertThat(streamer.bytes.get()).isLessThan(64L * 1024 * 1024);
			goodStillEchoed();
		}
		assertHostileStreamGone();
		goodStillEchoed();
	}

	/** Passes states to the recorder and rx/tx to a message handler. */
	private record Recorded(StateRecorder recorder, StreamHandler handler) implements StreamHandler {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			return this.recorder.onState(stream, state, ack);
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			return this.handler.onRx(stream, payload, flags);
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			return this.handler.onTx(stream, slot);
		}

	}

	/** Counts received fragments and records any SOM/EOM flag out of sequence. */
	private static final class FragmentCounter implements StreamHandler {

		final AtomicInteger count = new AtomicInteger();

		final AtomicInteger largest = new AtomicInteger();

		final AtomicInteger lastFlags = new AtomicInteger(-1);

		final List<String> illegal = new CopyOnWriteArrayList<>();

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			int n = this.count.incrementAndGet();
			int expected = (n == 1) ? StreamFlags.SOM : 0;
			int seen = flags & (StreamFlags.SOM | StreamFlags.EOM);
			if (seen != expected && !(n > 1 && seen == StreamFlags.EOM)) {
				this.illegal.add("fragment " + n + " flags " + seen);
			}
			this.largest.accumulateAndGet(payload.remaining(), Math::max);
			this.lastFlags.set(seen);
			return StreamResult.OK;
		}

	}

	/** Sends one endless BINARY message, a full tx buffer at a time, for as long as it is asked. */
	private static final class Streamer implements StreamHandler {

		final AtomicLong bytes = new AtomicLong();

		final AtomicLong lastTx = new AtomicLong();

		private boolean started;

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			byte[] fill = new byte[slot.capacity()];
			slot.buffer().put(fill);
			slot.flags(this.started ? 0 : StreamFlags.SOM);
			this.started = true;
			this.bytes.addAndGet(fill.length);
			this.lastTx.set(System.nanoTime());
			return StreamResult.OK;
		}

	}

}
