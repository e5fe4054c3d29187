package io.securestreams.protocol.h1;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.auth.AwsCredentials;
import io.securestreams.auth.SigV4Signer;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A streamtype bound with {@code use_auth} to a {@code sigv4} auth scheme signs each request as
 * libwebsockets does: host and the {@code x-amz-*} headers from metadata, the payload hash from
 * {@code x-amz-content-sha256}, region and service from the metadata {@code aws_region} and
 * {@code aws_service} name, the key from the system blob store.
 */
class H1SigV4Tests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final AwsCredentials KEY = new AwsCredentials("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private SecureStreams streams;

	@Test
	void putIsSignedOverTheHeadersItIsSentWith() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).build());
		SystemBlobs blobs = new SystemBlobs().awsCredentials(1, KEY.keyId(), KEY.secret());
		byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		SecureStream stream = start(blobs).create("upload", handler);
		stream.setMetadata("region", "eu-west-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.setMetadata("sha", sha256Hex(body));
		stream.requestTxLen(body.length);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		String authorization = request.getHeaders().get("Authorization");
		assertThat(authorization)
			.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/s3/aws4_request, "
					+ "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=");
		// Signed over exactly what the server received: its Host, its x-amz-* values, its path.
		Map<String, String> received = new LinkedHashMap<>();
		for (String name : List.of("host", "x-amz-date", "x-amz-content-sha256")) {
			received.put(name, request.getHeaders().get(name));
		}
		assertThat(authorization).isEqualTo(SigV4Signer.authorization("PUT", request.getTarget(), received,
				sha256Hex(body), "eu-west-1", "s3", KEY));
		assertThat(request.getBody().utf8()).isEqualTo("hello");
	}

	/**
	 * A non-ASCII x-amz-* value goes out as its UTF-8 bytes, and the signature covers those bytes
	 * as AWS reads them (UTF-8 text), not each byte re-encoded.
	 */
	@Test
	void aNonAsciiAmzHeaderIsSignedAsTheUtf8BytesSent() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).build());
		SystemBlobs blobs = new SystemBlobs().awsCredentials(1, KEY.keyId(), KEY.secret());
		byte[] body = "x".getBytes(StandardCharsets.UTF_8);
		RecordingHandler handler = new RecordingHandler().send(body, body.length);
		SecureStream stream = start(blobs, new MetadataDeclaration("note", "x-amz-meta-note:")).create("upload",
				handler);
		stream.setMetadata("region", "eu-west-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.setMetadata("sha", sha256Hex(body));
		stream.setMetadata("note", "café");
		stream.requestTxLen(body.length);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		// MockWebServer reads header lines as UTF-8.
		assertThat(request.getHeaders().get("x-amz-meta-note")).isEqualTo("café");
		Map<String, String> received = new LinkedHashMap<>();
		received.put("host", request.getHeaders().get("host"));
		received.put("x-amz-date", "20150830T123600Z");
		received.put("x-amz-content-sha256", sha256Hex(body));
		received.put("x-amz-meta-note", "café");
		assertThat(request.getHeaders().get("Authorization")).isEqualTo(SigV4Signer.authorization("PUT",
				request.getTarget(), received, sha256Hex(body), "eu-west-1", "s3", KEY));
	}

	@Test
	void aHeaderValueThatIsNotUtf8FailsTheAttemptBeforeAnythingIsSent() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = start(new SystemBlobs().awsCredentials(1, KEY.keyId(), KEY.secret()),
				new MetadataDeclaration("note", "x-amz-meta-note:")).create("upload", handler);
		stream.setMetadata("region", "eu-west-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.setMetadata("sha", sha256Hex(new byte[0]));
		stream.setMetadata("note", new byte[] { 'c', (byte) 0xff });
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(this.server.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void missingKeyFailsTheAttemptBeforeAnythingIsSent() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = start(new SystemBlobs()).create("upload", handler);
		stream.setMetadata("region", "eu-west-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.setMetadata("sha", sha256Hex(new byte[0]));
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).doesNotContain("CONNECTED");
		assertThat(this.server.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void missingPayloadHashFailsTheAttempt() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = start(new SystemBlobs().awsCredentials(1, KEY.keyId(), KEY.secret()))
			.create("upload", handler);
		stream.setMetadata("region", "eu-west-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(this.server.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
	}

	private SecureStreams start(SystemBlobs blobs, MetadataDeclaration... more) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.auth(new AuthScheme("s3", "sigv4", null, 1));
		StreamTypePolicy.Builder upload = TestPolicies.sigv4(TestPolicies.h1(fragment.streamType("upload"), "127.0.0.1",
				this.server.getPort(), "PUT", "/bucket/key"), "s3")
			.set(StreamTypeKey.RETRY, "once");
		if (more.length > 0) {
			List<MetadataDeclaration> metadata = new ArrayList<>(upload.build().metadata());
			metadata.addAll(List.of(more));
			upload.set(StreamTypeKey.METADATA, metadata);
		}
		this.streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs));
		return this.streams;
	}

	private static String sha256Hex(byte[] data) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
	}

}
