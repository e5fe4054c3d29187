package io.securestreams.tls;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
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
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client certificate outside its validity period (expired, or not yet valid) is still
 * presented, as libwebsockets presents it, but a warning names the index, the subject and the
 * date: the server's refusal is only a "certificate_unknown" alert that says nothing of why.
 */
class ClientCertificateValidityTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "expired,-3,-1,expired at", "not yet valid,1,3,is not valid before" })
	void aClientCertificateOutsideItsDatesIsNamedInAWarning(String kind, int fromDays, int toDays, String says)
			throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		MockWebServer server = server();
		Instant now = Instant.now();
		X509Bundle client = new CertificateBuilder().subject("CN=dated-device").ecp256()
			.notBefore(now.plus(fromDays, ChronoUnit.DAYS))
			.notAfter(now.plus(toDays, ChronoUnit.DAYS))
			.addExtendedKeyUsageClientAuth()
			.buildIssuedBy(TestPki.ca());
		RecordingHandler handler = get(server, client);
		handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
		assertThat(logs.warnings()).filteredOn((line) -> line.contains("client certificate 0"))
			.singleElement()
			.asString()
			.contains("streamtype 't'", "CN=dated-device", says);
	}

	@Test
	void aClientCertificateWithinItsDatesGetsNoWarning() throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		MockWebServer server = server();
		server.enqueue(new MockResponse.Builder().body("ok").build());
		RecordingHandler handler = get(server, TestPki.client());
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(logs.warnings()).noneMatch((line) -> line.contains("client certificate"));
	}

	private MockWebServer server() throws Exception {
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
		server.requireClientAuth();
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		return server;
	}

	private RecordingHandler get(MockWebServer server, X509Bundle client) throws Exception {
		SystemBlobs blobs = new SystemBlobs().clientCertificate(0,
				client.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
				client.getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII));
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
		return handler;
	}

}
