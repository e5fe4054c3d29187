package io.securestreams.docs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.netty.pkitesting.X509Bundle;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.connectivity.Connectivity;
import io.securestreams.policy.Policy;
import io.securestreams.policy.fetch.PolicyFetchResult;
import io.securestreams.policy.fetch.PolicyFetcher;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.ProxyLinkInfo;
import io.securestreams.proxy.SecureStreamsProxy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the code examples of {@code docs/mqtt.md}, {@code docs/proxy.md} and
 * {@code docs/policy.md} that no other test covers as written: each test keeps the page's
 * statements, with the page's placeholders replaced by local values.
 */
class DocsExamplesTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void mqttCredentialsExampleFillsTheBlobs() throws Exception {
		byte[] secret = "s3cret".getBytes(StandardCharsets.UTF_8);
		X509Bundle client = TestPki.client();
		byte[] chainPem = client.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII);
		byte[] keyPem = client.getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII);
		// docs/mqtt.md, "Example policy"
		SystemBlobs blobs = new SystemBlobs()
			.set(SystemBlobs.Type.MQTT_CLIENT_ID, "device-0001")
			.set(SystemBlobs.Type.MQTT_USERNAME, "device-0001")
			.set(SystemBlobs.Type.MQTT_PASSWORD, secret)
			.clientCertificate(0, chainPem, keyPem);
		assertThat(blobs.getString(SystemBlobs.Type.MQTT_CLIENT_ID, 0)).isEqualTo("device-0001");
		assertThat(blobs.getString(SystemBlobs.Type.MQTT_USERNAME, 0)).isEqualTo("device-0001");
		assertThat(blobs.get(SystemBlobs.Type.MQTT_PASSWORD, 0)).isEqualTo(secret);
		assertThat(blobs.clientCertificate(0)).isNotNull();
	}

	@Test
	void embeddedProxyFromAPolicyServesAProxiedClient(@TempDir Path directory) throws Exception {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().body("proxied").build());
		Policy policy = TestPolicies.with("mintest",
				(b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "/"));
		String address = "+" + directory.resolve("proxy.sock");
		// docs/proxy.md, "Embedding it" and "Java clients in proxied mode"
		try (SecureStreamsProxy proxy = SecureStreamsProxy.builder(policy)
				.listen(ProxyAddress.parse(address))
				.start()) {
			try (SecureStreams streams = SecureStreams.proxiedBuilder(address).build()) {
				RecordingHandler handler = new RecordingHandler();
				SecureStream stream = streams.create("mintest", handler);
				stream.requestTx();
				handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
				assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("proxied");
				assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED");
				assertThat(proxy.links()).extracting(ProxyLinkInfo::streamType).containsExactly("mintest");
			}
			Awaitility.await().atMost(WAIT).until(() -> proxy.links().isEmpty());
		}
	}

	@Test
	void fetchAndDetectionExamplesWithoutTheirStreamtypes() throws Exception {
		SecureStreams streams = this.resources.start(SecureStreams.builder(TestPolicies.base().build()));
		// docs/policy.md, "Remote policy fetch"
		PolicyFetchResult result = new PolicyFetcher(streams).fetch();
		assertThat(result.updated()).isFalse();
		assertThat(result.outcome()).isEqualTo(PolicyFetchResult.Outcome.NOT_CONFIGURED);
		// docs/policy.md, "Captive portal detection"
		CaptivePortalDetector detector = new CaptivePortalDetector(streams);
		Connectivity found = detector.detect();
		assertThat(found).isEqualTo(Connectivity.UNKNOWN);
		assertThat(detector.result()).isEqualTo(Connectivity.UNKNOWN);
	}

}
