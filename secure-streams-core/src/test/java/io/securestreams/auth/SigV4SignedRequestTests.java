package io.securestreams.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
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
 * A signed h1 request whose url holds a query and characters AWS percent-encodes: the signature
 * the server receives is the one AWS computes from the request as it arrived, worked out here
 * step by step (canonical request, string to sign, signing key) without the signer.
 */
class SigV4SignedRequestTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

	private static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@Test
	void getWithAQueryAndEncodedPathIsSignedAsAwsVerifiesIt() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).build());
		PolicyFragment fragment = TestPolicies.base();
		fragment.auth(new AuthScheme("s3", "sigv4", null, 0));
		StreamTypePolicy.Builder list = TestPolicies.sigv4(TestPolicies.h1(fragment.streamType("list"), "127.0.0.1",
				this.server.getPort(), "GET", "/bucket/${key}?prefix=${prefix}&list-type=2"), "s3")
			.set(StreamTypeKey.RETRY, "once");
		list.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("region", ""),
				new MetadataDeclaration("service", ""), new MetadataDeclaration("date", "x-amz-date:"),
				new MetadataDeclaration("sha", "x-amz-content-sha256:"), new MetadataDeclaration("key", ""),
				new MetadataDeclaration("prefix", "")));
		SystemBlobs blobs = new SystemBlobs().awsCredentials(0, "AKIDEXAMPLE", SECRET);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).systemBlobs(blobs));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("list", handler);
		stream.setMetadata("region", "us-east-1");
		stream.setMetadata("service", "s3");
		stream.setMetadata("date", "20150830T123600Z");
		stream.setMetadata("sha", EMPTY_PAYLOAD);
		stream.setMetadata("key", "photos/%24new%20one.jpg");
		stream.setMetadata("prefix", "a%2Fb");
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getTarget()).isEqualTo("/bucket/photos/%24new%20one.jpg?prefix=a%2Fb&list-type=2");
		String host = "127.0.0.1:" + this.server.getPort();
		assertThat(request.getHeaders().get("host")).isEqualTo(host);
		String canonical = "GET\n/bucket/photos/%24new%20one.jpg\nlist-type=2&prefix=a%2Fb\nhost:" + host
				+ "\nx-amz-content-sha256:" + EMPTY_PAYLOAD + "\nx-amz-date:20150830T123600Z\n\n"
				+ "host;x-amz-content-sha256;x-amz-date\n" + EMPTY_PAYLOAD;
		String scope = "20150830/us-east-1/s3/aws4_request";
		String toSign = "AWS4-HMAC-SHA256\n20150830T123600Z\n" + scope + "\n" + hex(sha256(canonical));
		byte[] key = hmac(("AWS4" + SECRET).getBytes(StandardCharsets.UTF_8), "20150830");
		for (String part : new String[] { "us-east-1", "s3", "aws4_request" }) {
			key = hmac(key, part);
		}
		assertThat(request.getHeaders().get("authorization")).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"
				+ scope + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + hex(hmac(key, toSign)));
	}

	private static byte[] sha256(String text) throws Exception {
		return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
	}

	private static byte[] hmac(byte[] key, String data) throws Exception {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(key, "HmacSHA256"));
		return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
	}

	private static String hex(byte[] bytes) {
		return HexFormat.of().formatHex(bytes);
	}

}
