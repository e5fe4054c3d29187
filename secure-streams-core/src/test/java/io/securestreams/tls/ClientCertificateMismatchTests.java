package io.securestreams.tls;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client certificate stored slot by slot ({@code CLIENT_CERT} and {@code CLIENT_KEY} with
 * {@link SystemBlobs#set}) whose key is another certificate's: the attempt fails before anything
 * is sent, with a log line naming the index and the mismatch, instead of a TLS alert from the
 * server that says nothing about the blob at fault.
 */
class ClientCertificateMismatchTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aKeyOfAnotherCertificateFailsEachAttemptNamingTheBlob() throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
		server.requireClientAuth();
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		SystemBlobs blobs = new SystemBlobs()
			.set(SystemBlobs.Type.CLIENT_CERT, 0,
					TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII))
			.set(SystemBlobs.Type.CLIENT_KEY, 0,
					TestPki.server().getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "localhost", server.getPort(), "GET", "/")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.CLIENT_CERT, 0)
			.set(StreamTypeKey.RETRY, "once");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).systemBlobs(blobs));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(logs.warnings()).filteredOn((line) -> line.contains("connection attempt failed"))
			.hasSize(2)
			.allSatisfy((line) -> assertThat(line)
				.contains("client certificate 0: the private key does not belong to the leaf certificate"));
		assertThat(server.getRequestCount()).isZero();
	}

}
