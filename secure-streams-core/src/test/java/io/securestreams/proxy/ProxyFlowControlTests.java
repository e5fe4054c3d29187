package io.securestreams.proxy;

import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rx flow control (reference §7.6): a client that stops reading makes the proxy pause the onward
 * connection, never buffer without bound; without rxflow marks the stream is dropped instead.
 */
class ProxyFlowControlTests {

	private static final int FRAME = SsWire.FRAME_HEADER + 16 + SsWire.MAX_RX_PAYLOAD;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	private MockWebServer server;

	private SecureStreams context;

	private SecureStreamsProxy proxy;

	private SocketChannel start(int bodySize, long buflen, long onAbove, long offBelow) throws Exception {
		Buffer body = new Buffer();
		byte[] block = new byte[65536];
		for (int i = 0; i < block.length; i++) {
			block[i] = (byte) (i % 251);
		}
		for (int written = 0; written < bodySize; written += block.length) {
			body.write(block, 0, Math.min(block.length, bodySize - written));
		}
		this.server = this.resources.closing(new MockWebServer());
		this.server.enqueue(new MockResponse.Builder().body(body).build());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("bulk")
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, this.server.getPort())
			.set(StreamTypeKey.HTTP_METHOD, "GET")
			.set(StreamTypeKey.HTTP_URL, "/bulk")
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.PROXY_BUFLEN, buflen)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, onAbove)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, offBelow);
		this.context = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		Path socket = this.temp.resolve("proxy.sock");
		this.proxy = this.resources.closing(SecureStreamsProxy.builder(this.context)
			.listen(ProxyAddress.parse("+" + socket))
			.start());
		SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
		client.connect(UnixDomainSocketAddress.of(socket));
		FrameReader.write(client,
				SsWire.toBytes(new ToProxy.StreamType(1, 1, SsWire.DEFAULT_INITIAL_TX_CREDIT, "bulk")));
		FrameReader.write(client, SsWire.toBytes(new ToProxy.OnwardConnect()));
		return client;
	}

	// A proxy that never resumes the onward connection leaves the blocking read below waiting:
	// the timeout interrupts it. (Resuming once failed when off_below was smaller than one
	// write: Netty completes a write before it takes its bytes off the pending count.)
	@Test
	@Timeout(60)
	void clientThatStopsReadingPausesTheOnwardConnectionAndLosesNothing() throws Exception {
		int size = 50 * 1024 * 1024;
		long buflen = 65536;
		try (SocketChannel client = start(size, buflen, 32768, 8192)) {
			// The client reads nothing: the proxy must pause the onward connection, not buffer 50 MiB.
			Awaitility.await().atMost(Duration.ofSeconds(20))
				.until(() -> !this.proxy.links().isEmpty() && link().onwardRxPaused());
			Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
				.until(() -> link().bufferedBytes() <= buflen + FRAME);
			assertThat(this.server.getRequestCount()).isEqualTo(1);
			FrameReader reader = new FrameReader(client);
			long received = 0;
			int expectedByte = 0;
			boolean intact = true;
			for (FrameReader.Frame frame = reader.next(); frame != null; frame = reader.next()) {
				if (frame.type() == 0x55) {
					for (int i = 16; i < frame.body().length; i++) {
						intact &= frame.body()[i] == (byte) ((expectedByte++ % 65536) % 251);
					}
					received += frame.body().length - 16;
				}
				if (frame.type() == 0x57 && frame.state() == StreamState.QOS_ACK_REMOTE.value()) {
					break;
				}
				assertThat(frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value())
					.as("dropped after %d bytes", received).isFalse();
			}
			assertThat(received).isEqualTo(size);
			assertThat(intact).as("payload intact and in order").isTrue();
			assertThat(link().peakBufferedBytes()).isLessThanOrEqualTo(buflen + FRAME);
		}
	}

	@Test
	void withoutRxflowMarksAFullBufferDropsTheDataAndDisconnects() throws Exception {
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy");
				SocketChannel client = start(8 * 1024 * 1024, 0, 0, 0)) {
			assertThat(logs.await("proxy buffer full", "of 32768 bytes held")).contains("disconnecting");
			assertThat(link().peakBufferedBytes()).isLessThanOrEqualTo(32768 + FRAME);
			FrameReader reader = new FrameReader(client);
			long received = 0;
			FrameReader.Frame frame = reader.next();
			while (!(frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value())) {
				assertThat(frame.type() == 0x57 && frame.state() == StreamState.QOS_ACK_REMOTE.value()).isFalse();
				received += (frame.type() == 0x55) ? frame.body().length - 16 : 0;
				frame = reader.next();
			}
			assertThat(received).isLessThan(8 * 1024 * 1024);
		}
	}

	private ProxyLinkInfo link() {
		return this.proxy.links().get(0);
	}

}
