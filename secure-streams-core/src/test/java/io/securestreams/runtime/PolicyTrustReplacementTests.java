package io.securestreams.runtime;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new policy (a fetched one, or an overlay) that changes what a streamtype's trust store
 * holds changes whom its streams trust, although the streamtype's own keys are the same: a
 * connection validated under the old anchors must not carry on.
 */
class PolicyTrustReplacementTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	private Policy policy(PolicyCertificate anchor) {
		PolicyFragment fragment = TestPolicies.base();
		fragment.certificate(anchor);
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca");
		return fragment.build();
	}

	@Test
	void replacingTheAnchorsOfATrustStoreDropsConnectionsValidatedWithTheOldOnes() throws Exception {
		this.server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		this.server.enqueue(new MockResponse.Builder().body("second").build());
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(policy(TestPki.caEntry("test_ca_cert"))).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);

		// Same streamtype keys, but the trust store now names a CA that did not sign the server.
		PolicyCertificate other = PolicyCertificate.fromDer("test_ca_cert",
				TestPki.selfSigned().getCertificate().getEncoded());
		streams.replacePolicy(policy(other));
		handler.await(StreamState.DISCONNECTED, WAIT);
		stream.requestTx();
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(new String(handler.received())).isEqualTo("first");
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void aNewTopLevelSocksProxyDropsConnectionsMadeWithoutIt() {
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/x");
		Policy direct = fragment.build();
		SecureStreams streams = this.resources.start(SecureStreams.builder(direct).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("t", handler);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		// The streamtype's keys are the same; every client connection must now go through SOCKS5.
		streams.replacePolicy(fragment.viaSocks5("127.0.0.1:1").build());
		handler.await(StreamState.DISCONNECTED, WAIT);
	}

}
