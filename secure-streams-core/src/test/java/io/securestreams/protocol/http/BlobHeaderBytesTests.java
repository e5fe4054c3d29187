package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference 10.2: the system-blob headers carry the blob's bytes as they are, after the auth
 * preamble, as libwebsockets copies them; a token or a device identity is not necessarily UTF-8
 * text. Before, the bytes were decoded as UTF-8 and encoded one byte per char, so a UTF-8
 * sequence collapsed to one byte and a byte that is no UTF-8 became '?'.
 */
class BlobHeaderBytesTests {

	private static final byte[] BLOB = { 'a', (byte) 0xC3, (byte) 0xA9, 'b', (byte) 0xFF, 'c' };

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void blobHeadersGoOutByteForByte() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> out
			.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", peer.port(), "GET", "/")
				.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
				.set(StreamTypeKey.HTTP_AUTH_PREAMBLE, "Bearer ")
				.set(StreamTypeKey.HTTP_DSN_HEADER, "x-dsn:")
				.set(StreamTypeKey.HTTP_FWV_HEADER, "x-fwv:")
				.set(StreamTypeKey.HTTP_DEVTYPE_HEADER, "x-devtype:");
			SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.AUTH, BLOB)
				.set(SystemBlobs.Type.DEVICE_SERIAL, BLOB)
				.set(SystemBlobs.Type.DEVICE_FW_VERSION, BLOB)
				.set(SystemBlobs.Type.DEVICE_TYPE, BLOB);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).systemBlobs(blobs));
			RecordingHandler handler = new RecordingHandler();
			streams.create("t", handler).requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(20));
			// The head as read on the wire, one char per byte.
			String blob = new String(BLOB, StandardCharsets.ISO_8859_1);
			assertThat(peer.requests().get(0)).contains("authorization: Bearer " + blob + "\r\n")
				.contains("x-dsn: " + blob + "\r\n")
				.contains("x-fwv: " + blob + "\r\n")
				.contains("x-devtype: " + blob + "\r\n");
		}
	}

}
