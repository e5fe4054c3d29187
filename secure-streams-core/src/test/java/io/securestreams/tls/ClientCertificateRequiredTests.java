package io.securestreams.tls;

import java.net.InetAddress;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TLS server that requires a client certificate the streamtype does not present: with TLS 1.3
 * the server says so by an alert after the client finished its handshake. Each attempt still
 * fails as UNREACHABLE (a raw stream, connected at the handshake, is disconnected), and the log
 * names the server's alert, not only that the connection ended.
 */
class ClientCertificateRequiredTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "H1", "WS", "MQTT", "RAW" })
	void theServersAlertIsNamedInTheLog(Protocol protocol) throws Exception {
		LogCapture logs = this.resources.closing(new LogCapture());
		MockWebServer server = this.resources.closing(new MockWebServer());
		server.useHttps(TestPki.serverContext(TestPki.server()).getSocketFactory());
		server.requireClientAuth();
		server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "localhost", server.getPort(), "GET", "/")
			.set(StreamTypeKey.PROTOCOL, protocol)
			.set(StreamTypeKey.HTTP_METHOD, (protocol == Protocol.H1) ? "GET" : null)
			.set(StreamTypeKey.HTTP_URL, (protocol == Protocol.RAW) ? null : "/")
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("t", handler).requestTx();
		if (protocol == Protocol.RAW) {
			// Raw is connected once its side of the handshake is done; the alert then ends it.
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
		}
		else {
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).contains("UNREACHABLE").doesNotContain("CONNECTED");
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.messages())
			.anySatisfy((line) -> assertThat(line).containsAnyOf("'t'", "(t)").contains("Received fatal alert")));
		assertThat(server.getRequestCount()).isZero();
	}

}
