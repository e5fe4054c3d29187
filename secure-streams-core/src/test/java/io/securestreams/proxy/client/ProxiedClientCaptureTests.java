package io.securestreams.proxy.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import io.securestreams.testsupport.WireCapture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxied client's frames against those the C client sent in the captured POST
 * ({@code wire1-http-post.log}, reference §7.7): the same application calls make the same bytes,
 * but for the process id and the informational timing fields of TX_PAYLOAD.
 */
class ProxiedClientCaptureTests extends ScriptedProxyFixture {

	private final WireCapture capture = WireCapture.load("wire1-http-post.log");

	/** Splits what one side sent into its frames, header included. */
	private static List<byte[]> frames(byte[] wire) {
		List<byte[]> frames = new ArrayList<>();
		for (int at = 0; at < wire.length;) {
			int end = at + SsWire.FRAME_HEADER + (((wire[at + 1] & 0xff) << 8) | (wire[at + 2] & 0xff));
			frames.add(Arrays.copyOfRange(wire, at, end));
			at = end;
		}
		return frames;
	}

	/** A copy with the bytes from {@code from} to {@code to} zeroed: fields that differ by run. */
	private static byte[] masked(byte[] frame, int from, int to) {
		byte[] copy = frame.clone();
		Arrays.fill(copy, from, to, (byte) 0);
		return copy;
	}

	@Test
	void theClientSendsTheFramesOfTheCapturedCClient() throws Exception {
		List<byte[]> expected = frames(this.capture.bytes(true));
		List<byte[]> answers = frames(this.capture.bytes(false));
		assertThat(expected).hasSize(6);
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write(expected.get(4), 19, expected.get(4).length - 19);
		body.write(expected.get(5), 19, expected.get(5).length - 19);
		proxiedContext(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler().send(body.toByteArray(), body.size());
		SecureStream stream = this.streams.create("minpost", handler);
		stream.setMetadata("ctype", "multipart/form-data;boundary=\"boundary\"");
		stream.requestTxLen(body.size());
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		// STREAMTYPE: version, pid (the capture's is 27180), credit, name.
		assertThat(masked(link.next().bytes(), 4, 8)).isEqualTo(masked(expected.get(0), 4, 8));
		link.send(answers.get(0));
		link.send(answers.get(1));
		for (int i = 1; i <= 3; i++) {
			assertThat(link.next().bytes()).as("frame %d", i).isEqualTo(expected.get(i));
		}
		link.send(answers.get(2)).send(answers.get(3)).send(answers.get(4));
		for (int i = 4; i <= 5; i++) {
			// Flags and payload as captured; client_wait_us and client_write_time_us are the client's.
			assertThat(masked(link.next().bytes(), 7, 19)).as("frame %d", i).isEqualTo(masked(expected.get(i), 7, 19));
		}
		for (int i = 5; i < answers.size(); i++) {
			link.send(answers.get(i));
		}
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("A".repeat(300));
		this.guard.assertNoViolations();
	}

}
