package io.securestreams.protocol.h2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection validity on h2 (retry policy {@code svalidping} / {@code svalidhup}): against a
 * peer that accepts the connection, sends its SETTINGS and then never answers, an h2 PING goes out after the ping
 * interval and the connection is hung up at the hang-up interval; the stream, never CONNECTED,
 * sees UNREACHABLE.
 */
class H2ValidityTests {

	private static final int PING = 0x6;

	private static final int HEADERS = 0x1;

	private static final int SETTINGS = 0x4;

	private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void silentPeerGetsAPingThenIsHungUp() throws Exception {
		try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
				CapturedLogs logs = new CapturedLogs(H2Session.class.getName())) {
			CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readUntilClosed(silent));
			PolicyFragment fragment = TestPolicies.base();
			fragment.retry(new RetryPolicy("valid", List.of(50), 1, 0, 1, 3));
			TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", silent.getLocalPort(), "GET", "/never")
				.set(StreamTypeKey.PROTOCOL, Protocol.H2)
				.set(StreamTypeKey.RETRY, "valid");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			RecordingHandler handler = new RecordingHandler();
			streams.create("get", handler).requestTx();
			handler.await(StreamState.UNREACHABLE, Duration.ofSeconds(15));
			assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "UNREACHABLE");
			logs.await("hung up", "svalidhup");
			byte[] bytes = received.get();
			assertThat(bytes).startsWith(PREFACE);
			assertThat(frameTypes(bytes)).containsSubsequence(SETTINGS, HEADERS, PING);
		}
	}

	// The peer: sends its (empty) SETTINGS, as an h2 server must first, then only reads the first
	// connection until the client closes it.
	private static byte[] readUntilClosed(ServerSocket server) {
		try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
			socket.getOutputStream().write(new byte[] { 0, 0, 0, SETTINGS, 0, 0, 0, 0, 0 });
			socket.getOutputStream().flush();
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			in.transferTo(all);
			return all.toByteArray();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<Integer> frameTypes(byte[] bytes) {
		ByteBuffer frames = ByteBuffer.wrap(bytes, PREFACE.length, bytes.length - PREFACE.length);
		List<Integer> types = new ArrayList<>();
		while (frames.remaining() >= 9) {
			int length = ((frames.get() & 0xff) << 16) | ((frames.get() & 0xff) << 8) | (frames.get() & 0xff);
			types.add(frames.get() & 0xff);
			frames.position(frames.position() + 5 + Math.min(length, frames.remaining() - 5));
		}
		return types;
	}

}
