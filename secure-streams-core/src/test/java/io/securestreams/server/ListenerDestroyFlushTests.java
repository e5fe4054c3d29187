package io.securestreams.server;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Destroying a listener destroys its accepted streams, and an accepted raw stream that is
 * destroyed still sends what its handler handed over before the connection closes
 * (docs/streams.md, "Flags"). The listener closed every accepted connection itself right after
 * asking its streams to end, which dropped what was still queued for a peer that reads slowly.
 */
class ListenerDestroyFlushTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final int CHUNK = 16 * 1024;

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Sends an endless body in 16 KiB pieces from CONNECTED on, counting what it handed over. */
	private static final class Sender extends RecordingHandler {

		private final byte[] body;

		private volatile int given;

		Sender(byte[] body) {
			this.body = body;
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			super.onState(stream, state, ack);
			if (state == StreamState.CONNECTED && stream.role() == StreamRole.ACCEPTED) {
				stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			int length = Math.min(CHUNK, this.body.length - this.given);
			slot.buffer().put(this.body, this.given, length);
			this.given += length;
			if (this.given < this.body.length) {
				stream.requestTx();
			}
			return StreamResult.OK;
		}

	}

	@Test
	void aDestroyedListenersRawStreamsStillSendWhatTheyHandedOver() throws Exception {
		byte[] body = new byte[64 * 1024 * 1024];
		new Random(3).nextBytes(body);
		Sender server = new Sender(body);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("rawsrv", server);
		try (Socket socket = new Socket()) {
			// A small fixed receive window: the sender's own queue holds bytes when it is stopped.
			socket.setReceiveBufferSize(64 * 1024);
			socket.connect(new InetSocketAddress("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort()));
			AtomicInteger last = new AtomicInteger(-1);
			Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
				.until(() -> server.given > 0 && last.getAndSet(server.given) == server.given);
			listener.destroy();
			server.await(StreamState.DESTROYING, 2, WAIT);
			int given = server.given;
			socket.setSoTimeout((int) WAIT.toMillis());
			InputStream in = socket.getInputStream();
			byte[] received = in.readAllBytes();
			assertThat(received.length).isEqualTo(given);
			assertThat(received).isEqualTo(Arrays.copyOf(body, given));
		}
		// The listener's DESTROYING comes from its own loop, in any order with the accepted stream's.
		assertThat(server.stateNames()).containsExactlyInAnyOrder("CREATING", "CREATING", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "DESTROYING", "DESTROYING");
	}

}
