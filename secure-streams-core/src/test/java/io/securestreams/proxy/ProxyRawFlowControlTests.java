package io.securestreams.proxy;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rx flow control of a proxy's onward raw stream (reference §7.6) with the default
 * {@code proxy_buflen}: a peer sending faster than the client reads is paused at
 * {@code proxy_buflen_rxflow_on_above}, and resumed when the client reads, with every byte
 * delivered in order and the proxy never holding more than its buffer.
 */
class ProxyRawFlowControlTests {

	private static final int SIZE = 20 * 1024 * 1024;

	private static final long BUFLEN = 32768;

	// What the link may hold beyond its buffer: one frame's worth, as ProxyFlowControlTests allows.
	private static final int FRAME = SsWire.FRAME_HEADER + 16 + SsWire.MAX_RX_PAYLOAD;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	@Test
	@Timeout(60)
	void aClientThatStopsReadingPausesTheRawPeerAndLosesNothing() throws Exception {
		ServerSocket listener = this.resources.closing(new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.raw(fragment.streamType("raw"), listener.getLocalPort())
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 16384L)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 4096L);
		ProxyUnderTest harness = this.resources.closing(new ProxyUnderTest(fragment.build(), this.temp));
		try (SocketChannel link = harness.connectRaw()) {
			FrameReader.write(link, SsWire.toBytes(new ToProxy.StreamType(1, 1, SsWire.DEFAULT_INITIAL_TX_CREDIT,
					"raw")));
			FrameReader.write(link, SsWire.toBytes(new ToProxy.OnwardConnect()));
			Socket peer = this.resources.closing(listener.accept());
			CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> send(peer));
			// The client reads nothing yet: the proxy must pause the peer, not buffer 20 MiB.
			Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> harness.proxy().links().get(0)
				.onwardRxPaused());
			Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
				.until(() -> harness.proxy().links().get(0).bufferedBytes() <= BUFLEN + FRAME);
			FrameReader reader = new FrameReader(link);
			long received = 0;
			while (received < SIZE) {
				FrameReader.Frame frame = reader.next();
				assertThat(frame).as("link open after %d bytes", received).isNotNull();
				assertThat(frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value())
					.as("onward stream dropped after %d bytes", received).isFalse();
				if (frame.type() != 0x55) {
					continue;
				}
				for (int i = 16; i < frame.body().length; i++) {
					assertThat(frame.body()[i]).as("byte %d", received).isEqualTo((byte) (received++ % 251));
				}
			}
			flood.get();
			assertThat(harness.proxy().links().get(0).peakBufferedBytes()).isLessThanOrEqualTo(BUFLEN + FRAME);
		}
	}

	private static void send(Socket peer) {
		try {
			OutputStream out = new BufferedOutputStream(peer.getOutputStream(), 65536);
			for (long i = 0; i < SIZE; i++) {
				out.write((int) (i % 251));
			}
			out.flush();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
