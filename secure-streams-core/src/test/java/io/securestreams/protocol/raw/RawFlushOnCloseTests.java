package io.securestreams.protocol.raw;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw connection the application ends itself (DISCONNECT_ME, {@code destroy()}) while what it
 * handed over is still queued because the peer reads slowly: every byte reaches the peer, in
 * order, before the end of the stream, as libwebsockets flushes before closing
 * (LRS_FLUSHING_BEFORE_CLOSE). A peer that takes nothing for 5 s loses the rest and the connection
 * closes anyway. The peers are JDK sockets.
 */
class RawFlushOnCloseTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final int CHUNK = 16 * 1024;

	private static final int RECEIVE_BUFFER = 64 * 1024;

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** How the uploading handler ends the connection after its last bytes. */
	private enum End {

		/** Returns DISCONNECT_ME from the onTx after the one with the last bytes. */
		DISCONNECT_ME_FROM_NEXT_TX,
		/** Calls {@code destroy()} on the stream from the onTx with the last bytes. */
		DESTROY_FROM_TX,
		/** Nothing itself: the test calls {@code destroy()} from its own thread. */
		DESTROY_FROM_ANOTHER_THREAD

	}

	/** Sends {@code body} in 16 KiB pieces from CONNECTED on, then ends the connection as told. */
	private static final class Uploader extends RecordingHandler {

		private final byte[] body;

		private final End end;

		private volatile int given;

		Uploader(byte[] body, End end) {
			this.body = body;
			this.end = end;
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			super.onState(stream, state, ack);
			if (state == StreamState.CONNECTED) {
				stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			if (this.given == this.body.length) {
				return (this.end == End.DISCONNECT_ME_FROM_NEXT_TX) ? StreamResult.DISCONNECT_ME
						: StreamResult.TX_DONT_SEND;
			}
			int length = Math.min(CHUNK, this.body.length - this.given);
			slot.buffer().put(this.body, this.given, length);
			this.given += length;
			if (this.given < this.body.length || this.end == End.DISCONNECT_ME_FROM_NEXT_TX) {
				stream.requestTx();
			}
			if (this.given == this.body.length && this.end == End.DESTROY_FROM_TX) {
				stream.destroy();
			}
			return StreamResult.OK;
		}

		int given() {
			return this.given;
		}

	}

	private static byte[] body() {
		byte[] body = new byte[8 * 1024 * 1024];
		new Random(11).nextBytes(body);
		return body;
	}

	/**
	 * Reads nothing until the sender has handed over its first pieces, then everything, more slowly
	 * than the sender writes, so that bytes are still queued on its side when it ends the connection.
	 */
	private static CompletableFuture<byte[]> slowReader(Socket socket, Uploader sender) {
		return CompletableFuture.supplyAsync(() -> {
			Awaitility.await().atMost(WAIT).until(() -> sender.given() >= 4 * CHUNK);
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			byte[] buffer = new byte[4096];
			try {
				socket.setSoTimeout((int) WAIT.toMillis());
				InputStream in = socket.getInputStream();
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					received.write(buffer, 0, n);
					// Pacing, not synchronisation: the peer stays slower than the sender.
					LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException("read " + received.size() + " bytes, then " + ex, ex);
			}
			return received.toByteArray();
		});
	}

	private SecureStreams client(ServerSocket peer) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort()).set(StreamTypeKey.OPPORTUNISTIC, true);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	private ServerSocket peer() throws IOException {
		ServerSocket peer = this.resources.closing(new ServerSocket());
		// A fixed receive window (no autotuning up to tens of MB): the body cannot all fit in the
		// sockets' buffers, so the sender's own queue holds bytes when it ends the connection.
		peer.setReceiveBufferSize(RECEIVE_BUFFER);
		peer.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 5);
		return peer;
	}

	private static void assertAll(byte[] received, byte[] body) {
		assertThat(received.length).as("bytes received").isEqualTo(body.length);
		assertThat(Arrays.mismatch(received, body)).as("first byte that differs").isEqualTo(-1);
	}

	@Test
	void aClientStreamThatReturnsDisconnectMeAfterItsLastBytesDeliversThemAll() throws Exception {
		byte[] body = body();
		Uploader client = new Uploader(body, End.DISCONNECT_ME_FROM_NEXT_TX);
		ServerSocket peer = peer();
		SecureStreams streams = client(peer);
		List<String> baseline = ScheduledTasks.of(streams);
		streams.create("raw", client).connect();
		Socket accepted = this.resources.closing(peer.accept());
		assertAll(slowReader(accepted, client).get(), body);
		client.await(StreamState.DISCONNECTED, WAIT);
		assertThat(client.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		// No flush timer is left behind on the loop once the connection closed.
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(ScheduledTasks.of(streams))
			.containsExactlyInAnyOrderElementsOf(baseline));
	}

	@Test
	void aClientStreamDestroyedFromItsLastOnTxDeliversEverything() throws Exception {
		byte[] body = body();
		Uploader client = new Uploader(body, End.DESTROY_FROM_TX);
		ServerSocket peer = peer();
		client(peer).create("raw", client).connect();
		Socket accepted = this.resources.closing(peer.accept());
		assertAll(slowReader(accepted, client).get(), body);
		client.await(StreamState.DESTROYING, WAIT);
		assertThat(client.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
	}

	@Test
	void aClientStreamDestroyedFromAnotherThreadWhileItsPeerIsNotReadingDeliversWhatItHandedOver()
			throws Exception {
		byte[] body = body();
		Uploader client = new Uploader(body, End.DESTROY_FROM_ANOTHER_THREAD);
		ServerSocket peer = peer();
		SecureStream stream = client(peer).create("raw", client);
		stream.connect();
		Socket accepted = this.resources.closing(peer.accept());
		awaitStalled(client);
		stream.destroy();
		// DESTROYING comes at once, and no onTx after it: what was handed over is known only then,
		// since a sender that only looked stalled may have been given a piece meanwhile.
		client.await(StreamState.DESTROYING, WAIT);
		int handedOver = client.given();
		accepted.setSoTimeout((int) WAIT.toMillis());
		assertAll(accepted.getInputStream().readAllBytes(), Arrays.copyOf(body, handedOver));
		assertThat(client.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
	}

	// The peer reads nothing: the sender hands over pieces until its socket and queue are full.
	private static void awaitStalled(Uploader sender) {
		AtomicInteger last = new AtomicInteger(-1);
		Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
			.until(() -> last.getAndSet(sender.given()) == sender.given());
	}

	@Test
	void anAcceptedStreamThatReturnsDisconnectMeAfterItsLastBytesDeliversThemAll() throws Exception {
		byte[] body = body();
		Uploader server = new Uploader(body, End.DISCONNECT_ME_FROM_NEXT_TX);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("rawsrv"), Protocol.RAW, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStream listener = streams.create("rawsrv", server);
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(RECEIVE_BUFFER);
			socket.connect(new InetSocketAddress("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort()));
			assertAll(slowReader(socket, server).get(), body);
		}
		server.await(StreamState.DESTROYING, WAIT);
		assertThat(server.stateNames()).containsExactly("CREATING", "CREATING", "CONNECTING", "CONNECTED",
				"DISCONNECTED", "DESTROYING");
	}

	@Test
	void aPeerThatTakesNothingFor5SecondsLosesTheRestAndTheConnectionCloses() throws Exception {
		byte[] body = body();
		Uploader client = new Uploader(body, End.DESTROY_FROM_ANOTHER_THREAD);
		ServerSocket peer = peer();
		SecureStreams streams = client(peer);
		List<String> baseline = ScheduledTasks.of(streams);
		try (CapturedLogs logs = new CapturedLogs(RawSession.class.getName())) {
			SecureStream stream = streams.create("raw", client);
			stream.connect();
			Socket accepted = this.resources.closing(peer.accept());
			awaitStalled(client);
			stream.destroy();
			client.await(StreamState.DESTROYING, WAIT);
			assertThat(logs.await("raw stream 'raw'", "within 5 s")).contains("bytes dropped");
			accepted.setSoTimeout((int) WAIT.toMillis());
			byte[] received = accepted.getInputStream().readAllBytes();
			assertThat(received.length).isLessThan(client.given());
			assertThat(received).isEqualTo(Arrays.copyOf(body, received.length));
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(ScheduledTasks.of(streams))
			.containsExactlyInAnyOrderElementsOf(baseline));
	}

}
