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
 * A system-blob header value that starts with spaces (an {@code http_auth_preamble} such as
 * {@code " Bearer "}, or a blob that does): libwebsockets writes it after the header's colon and
 * space as it is, and the server drops the spaces (RFC 9110 section 5.5), so the request works.
 * Netty refuses a header value that starts with one, which failed every request of the
 * streamtype before it was sent; the spaces are now left out, as the server would drop them.
 */
class BlobHeaderLeadingSpaceTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void blobHeadersThatStartWithSpacesGoOutWithoutThem() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> out
			.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", peer.port(), "GET", "/")
				.set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.HTTP_AUTH_HEADER, "authorization:")
				.set(StreamTypeKey.HTTP_AUTH_PREAMBLE, " Bearer ")
				.set(StreamTypeKey.HTTP_DSN_HEADER, "x-dsn:");
			SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.AUTH, "Atza|t")
				.set(SystemBlobs.Type.DEVICE_SERIAL, "  serial-1");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).systemBlobs(blobs));
			RecordingHandler handler = new RecordingHandler();
			streams.create("t", handler).requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(20));
			assertThat(peer.requests().get(0)).contains("authorization: Bearer Atza|t\r\n")
				.contains("x-dsn: serial-1\r\n");
		}
	}

}
