package io.securestreams.protocol.ws;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.auth.AwsCredentials;
import io.securestreams.auth.SigV4Signer;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ws streamtype bound to a {@code sigv4} scheme signs its upgrade request, as libwebsockets'
 * ws binding composes its handshake headers with the h1 code.
 */
class WsSigV4Tests {

	private static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	private static final AwsCredentials KEY = new AwsCredentials("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void upgradeRequestIsSignedOverTheHeadersTheServerReceived() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			PolicyFragment fragment = TestPolicies.base();
			fragment.auth(new AuthScheme("iot", "sigv4", null, 0));
			TestPolicies.sigv4(TestPolicies.ws(fragment.streamType("signed"), jetty.port(), "/echo"), "iot");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(2)
				.systemBlobs(new SystemBlobs().awsCredentials(0, KEY.keyId(), KEY.secret())));
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = streams.create("signed", handler);
			stream.setMetadata("region", "us-east-1");
			stream.setMetadata("service", "iotdevicegateway");
			stream.setMetadata("date", "20150830T123600Z");
			stream.setMetadata("sha", EMPTY_PAYLOAD);
			stream.connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			Map<String, String> upgrade = jetty.upgradeHeaders.get(0);
			Map<String, String> signed = new LinkedHashMap<>();
			for (String name : List.of("host", "x-amz-date", "x-amz-content-sha256")) {
				signed.put(name, upgrade.get(name));
			}
			assertThat(upgrade.get("authorization")).isEqualTo(SigV4Signer.authorization("GET", "/echo", signed,
					EMPTY_PAYLOAD, "us-east-1", "iotdevicegateway", KEY));
			assertThat(upgrade.get("authorization")).contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,");
		}
	}

}
