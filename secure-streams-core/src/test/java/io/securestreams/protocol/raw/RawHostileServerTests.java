package io.securestreams.protocol.raw;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw peers that cut the connection while the client writes, or send far more than the client
 * takes in: the stream ends with DISCONNECTED (no leak, no hang), and a burst arrives whole and
 * in order however slowly the application reads it.
 */
class RawHostileServerTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private StreamsUnderTest start(Mode mode, int port) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("raw")
			.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.RETRY, null)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 16384L)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 4096L);
		return this.resources.start(mode, fragment.build());
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aPeerThatResetsTheConnectionMidWriteEndsTheStream(Mode mode) throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			StreamsUnderTest streams = start(mode, peer.getLocalPort());
			RecordingHandler handler = new RecordingHandler() {
				@Override
				public StreamResult onTx(SecureStream stream, io.securestreams.TxSlot slot) {
					StreamResult result = super.onTx(stream, slot);
					stream.requestTx();
					return result;
				}
			}.send(new byte[32 * 1024 * 1024], 16 * 1024);
			SecureStream stream = streams.streams().create("raw", handler);
			stream.connect();
			try (Socket socket = peer.accept()) {
				handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
				stream.requestTx();
				socket.getInputStream().readNBytes(100_000);
				socket.setSoLinger(true, 0);
			}
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
			// Proxied, the tx still requested when the connection went makes the client connect again.
			assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		}
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aBurstToASlowReaderArrivesWholeAndInOrder(Mode mode) throws Exception {
		byte[] burst = new byte[8 * 1024 * 1024];
		new Random(7).nextBytes(burst);
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			StreamsUnderTest streams = start(mode, peer.getLocalPort());
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			long[] count = new long[1];
			RecordingHandler handler = new RecordingHandler() {
				@Override
				public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
					synchronized (count) {
						count[0] += payload.remaining();
						digest.update(payload);
					}
					if ((count[0] / 65536) % 16 == 0) {
						try {
							Thread.sleep(2);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}
					return StreamResult.OK;
				}
			};
			streams.streams().create("raw", handler).connect();
			try (Socket socket = peer.accept()) {
				OutputStream out = socket.getOutputStream();
				out.write(burst);
				out.flush();
				Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
					synchronized (count) {
						return count[0] >= burst.length;
					}
				});
				InputStream in = socket.getInputStream();
				assertThat(in.available()).isZero();
			}
			synchronized (count) {
				assertThat(count[0]).isEqualTo(burst.length);
				assertThat(digest.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(burst));
			}
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		}
	}

}
