package io.securestreams.proxy;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rx flow control of a proxy's onward ws stream (reference §7.6): a server sending many small
 * messages to a client that reads in bursts must be paused at {@code proxy_buflen_rxflow_on_above}
 * and resumed, never dropped as "proxy buffer full", with every message whole and in order. One
 * read of the ws connection holds several messages: the pause has to hold from the next one.
 */
class ProxyWsRxFlowControlTests {

	private static final int MESSAGES = 2000;

	private static final int SIZE = 10000;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	@Test
	@Timeout(60)
	void aClientReadingInBurstsPausesTheWsServerAndLosesNoMessage() throws Exception {
		try (Onward onward = connect()) {
			readAll(onward, MESSAGES, SIZE, 48 * 1024);
		}
	}

	@Test
	@Timeout(60)
	void aClientThatClosesItsLinkWhileTheWsServerIsPausedLeavesNothing() throws Exception {
		Onward onward = connect();
		CompletableFuture.runAsync(() -> flood(onward.server(), MESSAGES, SIZE));
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> onward.harness().proxy().links().get(0).onwardRxPaused());
		onward.close();
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(onward.harness().proxy().links()).isEmpty();
			assertThat(ContextAccess.runtime(onward.harness().context()).streams()).isEmpty();
		});
	}

	@Test
	@Timeout(60)
	void messagesLargerThanTheProxyBufferArriveWholeWhileTheClientReads() throws Exception {
		// The default proxy_buflen, 32768 bytes: each message is three times the whole buffer.
		try (Onward onward = connect()) {
			readAll(onward, 40, 100_000, 0);
		}
	}

	/** A link whose onward ws stream is connected to {@code server}, a socket of the test's own. */
	private record Onward(ProxyUnderTest harness, SocketChannel link, Socket server) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			this.link.close();
		}

	}

	// A link to a ws streamtype with rx flow control (paused above 16 KiB, resumed below 4 KiB),
	// its onward stream connected to a server socket the test answers itself.
	private Onward connect() throws Exception {
		ServerSocket listener = this.resources.closing(new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.ws(fragment.streamType("ws"), listener.getLocalPort(), "/")
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 16384L)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 4096L);
		ProxyUnderTest harness = this.resources.closing(new ProxyUnderTest(fragment.build(), this.temp));
		SocketChannel link = harness.connectRaw();
		FrameReader.write(link, SsWire.toBytes(new ToProxy.StreamType(1, 1, SsWire.DEFAULT_INITIAL_TX_CREDIT, "ws")));
		FrameReader.write(link, SsWire.toBytes(new ToProxy.OnwardConnect()));
		return new Onward(harness, link, this.resources.closing(listener.accept()));
	}

	// Has the server send the messages and reads them from the link, every byte whole and in order
	// and the onward stream never dropped; with a burst size, the client stops reading after each
	// burst until the proxy paused the server's connection.
	private static void readAll(Onward onward, int messages, int size, long burst) throws Exception {
		CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> flood(onward.server(), messages, size));
		FrameReader reader = new FrameReader(onward.link());
		long received = 0;
		long expected = 0;
		int whole = 0;
		long burstEnd = 0;
		while (whole < messages) {
			if (burst > 0 && received >= burstEnd) {
				// The client stops reading until the proxy paused the server's connection (unless
				// what is left of the messages no longer fills the proxy's buffer).
				Awaitility.await().atMost(Duration.ofSeconds(10))
					.until(() -> onward.harness().proxy().links().get(0).onwardRxPaused() || flood.isDone());
				burstEnd = received + burst;
			}
			FrameReader.Frame frame = reader.next();
			assertThat(frame).as("link open after %d bytes", received).isNotNull();
			assertThat(frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value())
				.as("onward stream dropped after %d of %d bytes", received, (long) messages * size).isFalse();
			if (frame.type() != 0x55) {
				continue;
			}
			for (int i = 16; i < frame.body().length; i++) {
				assertThat(frame.body()[i]).as("byte %d", expected).isEqualTo((byte) (expected++ % 251));
			}
			received += frame.body().length - 16;
			whole += ((ByteBuffer.wrap(frame.body()).getInt(0) & StreamFlags.EOM) != 0) ? 1 : 0;
		}
		assertThat(received).isEqualTo((long) messages * size);
		flood.get();
	}

	// Answers the upgrade, then sends the messages as fast as the connection takes them.
	private static void flood(Socket server, int messages, int size) {
		try {
			InputStream in = server.getInputStream();
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
				head.write(in.read());
			}
			String key = ScriptedPeer.header(head.toString(StandardCharsets.US_ASCII), "sec-websocket-key");
			OutputStream out = new BufferedOutputStream(server.getOutputStream(), 65536);
			out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + HandRolledWsServer.accept(key) + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			long counter = 0;
			for (int m = 0; m < messages; m++) {
				if (size < 65536) {
					// A final binary frame with a 16-bit length, unmasked as a server sends it.
					out.write(new byte[] { (byte) 0x82, 126, (byte) (size >> 8), (byte) size });
				}
				else {
					out.write(new byte[] { (byte) 0x82, 127, 0, 0, 0, 0, (byte) (size >> 24), (byte) (size >> 16),
						(byte) (size >> 8), (byte) size });
				}
				for (int i = 0; i < size; i++) {
					out.write((int) (counter++ % 251));
				}
			}
			out.flush();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
