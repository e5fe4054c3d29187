package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.buffer.Unpooled;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client payload whose onward transaction ended (reference §7.3, §7.5: the client sends
 * TX_PAYLOAD only between CONNECTED and the end of the transaction): the proxy drops it, keeps
 * reading the link, and never sends it, nor connects for it.
 */
class ProxyTxAfterOnwardEndTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path temp;

	private ServerSocket server;

	private ProxyUnderTest harness;

	private SocketChannel link;

	private final BlockingQueue<FrameReader.Frame> frames = new LinkedBlockingQueue<>();

	@BeforeEach
	void start() throws Exception {
		this.server = new ServerSocket();
		// Small, so that the onward connection stops taking the body soon when nothing reads it.
		this.server.setReceiveBufferSize(4096);
		this.server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
		this.server.setSoTimeout((int) WAIT.toMillis());
		PolicyFragment fragment = TestPolicies.base();
		// No retries: a new onward connection only comes from the client's ONWARD_CONNECT.
		TestPolicies.h1(fragment.streamType("up"), "127.0.0.1", this.server.getLocalPort(), "POST", "/up")
			.set(StreamTypeKey.RETRY, null);
		this.harness = new ProxyUnderTest(fragment.build(), this.temp);
		this.link = this.harness.connectRaw();
		Thread reader = new Thread(() -> {
			FrameReader in = new FrameReader(this.link);
			try {
				for (FrameReader.Frame frame = in.next(); frame != null; frame = in.next()) {
					this.frames.add(frame);
				}
			}
			catch (IOException ex) {
				// closed
			}
		}, "link-reader");
		reader.setDaemon(true);
		reader.start();
	}

	@AfterEach
	void stop() throws IOException {
		this.link.close();
		this.harness.close();
		this.server.close();
	}

	@Test
	void linkIsReadAgainAfterTheOnwardConnectionDroppedWithClientPayloadQueued() throws Exception {
		send(new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, "up"),
				new ToProxy.PayloadLengthHint(1L << 30), new ToProxy.OnwardConnect());
		awaitState(StreamState.CONNECTED);
		Socket first = this.server.accept();
		AtomicBoolean stopWriting = new AtomicBoolean();
		AtomicLong sent = new AtomicLong();
		Thread writer = new Thread(() -> {
			byte[] data = new byte[SsWire.MAX_TX_PAYLOAD];
			try {
				for (int flags = StreamFlags.SOM; !stopWriting.get(); flags = 0) {
					FrameReader.write(this.link,
							SsWire.toBytes(new ToProxy.TxPayload(flags, 0, 0, Unpooled.wrappedBuffer(data))));
					sent.addAndGet(data.length);
				}
			}
			catch (IOException ex) {
				// closed
			}
		}, "link-writer");
		writer.setDaemon(true);
		writer.start();
		// The server reads nothing: the proxy stops reading the link once proxy_buflen waits.
		long[] last = { -1 };
		Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
			long now = sent.get();
			boolean stalled = now > 0 && now == last[0];
			last[0] = now;
			return stalled;
		});
		first.setSoLinger(true, 0);
		first.close();
		awaitState(StreamState.DISCONNECTED, StreamState.UNREACHABLE);
		// The writer is blocked for as long as the proxy does not read the link again.
		stopWriting.set(true);
		Awaitility.await().atMost(WAIT).until(() -> !writer.isAlive());
		send(new ToProxy.PayloadLengthHint(2), new ToProxy.OnwardConnect());
		awaitState(StreamState.CONNECTED);
		try (Socket second = this.server.accept()) {
			send(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0,
					Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII)));
			assertThat(new String(readBody(second), StandardCharsets.US_ASCII))
				.as("the new transaction's body, without the old one's queued tail").isEqualTo("ok");
			respond(second, "200 OK");
			awaitState(StreamState.QOS_ACK_REMOTE);
		}
	}

	@Test
	void payloadArrivingAfterTheTransactionEndedIsDroppedAndStartsNoConnection() throws Exception {
		send(new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, "up"),
				new ToProxy.PayloadLengthHint(100_000), new ToProxy.OnwardConnect());
		awaitState(StreamState.CONNECTED);
		try (Socket first = this.server.accept()) {
			readHead(first);
			// Answered before the body came, as a server refusing an upload does.
			respond(first, "413 Payload Too Large");
		}
		awaitState(StreamState.QOS_NACK_REMOTE);
		awaitState(StreamState.DISCONNECTED);
		// Body frames the client had sent before it learnt that the transaction ended.
		byte[] stale = new byte[SsWire.MAX_TX_PAYLOAD];
		send(new ToProxy.TxPayload(StreamFlags.SOM, 0, 0, Unpooled.wrappedBuffer(stale)),
				new ToProxy.TxPayload(0, 0, 0, Unpooled.wrappedBuffer(stale)));
		send(new ToProxy.PayloadLengthHint(2), new ToProxy.OnwardConnect());
		awaitState(StreamState.CONNECTED);
		try (Socket second = this.server.accept()) {
			send(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0,
					Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII)));
			assertThat(new String(readBody(second), StandardCharsets.US_ASCII)).isEqualTo("ok");
			respond(second, "200 OK");
			awaitState(StreamState.QOS_ACK_REMOTE);
		}
		awaitState(StreamState.DISCONNECTED);
		// Only the client's ONWARD_CONNECT connected, once.
		this.server.setSoTimeout(200);
		org.assertj.core.api.Assertions.assertThatExceptionOfType(java.net.SocketTimeoutException.class)
			.isThrownBy(() -> this.server.accept().close());
	}

	private void send(SsMessage... messages) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (SsMessage message : messages) {
			out.writeBytes(SsWire.toBytes(message));
			io.netty.util.ReferenceCountUtil.release(message);
		}
		FrameReader.write(this.link, out.toByteArray());
	}

	/** Reads frames from the proxy until a CONNSTATE with one of the states. */
	private void awaitState(StreamState... states) throws InterruptedException {
		Set<Integer> wanted = java.util.Arrays.stream(states).map(StreamState::value)
			.collect(java.util.stream.Collectors.toSet());
		while (true) {
			FrameReader.Frame frame = this.frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(frame).as("a CONNSTATE of %s from the proxy", java.util.List.of(states)).isNotNull();
			if (frame.type() == 0x57 && wanted.contains(frame.state())) {
				return;
			}
		}
	}

	private static String readHead(Socket socket) throws IOException {
		socket.setSoTimeout((int) WAIT.toMillis());
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int next = in.read();
			if (next < 0) {
				throw new EOFException("request head cut short: " + head.toString(StandardCharsets.ISO_8859_1));
			}
			head.write(next);
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	private static byte[] readBody(Socket socket) throws IOException {
		Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(readHead(socket));
		assertThat(length.find()).as("a Content-Length").isTrue();
		return socket.getInputStream().readNBytes(Integer.parseInt(length.group(1)));
	}

	private static void respond(Socket socket, String status) throws IOException {
		socket.getOutputStream()
			.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
	}

}
