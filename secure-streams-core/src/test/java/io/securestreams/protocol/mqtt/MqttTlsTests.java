package io.securestreams.protocol.mqtt;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT over TLS to an embedded Moquette that requires client certificates from the test CA.
 */
class MqttTlsTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@TempDir
	static Path dataDir;

	private static MoquetteBroker broker;

	private final TransitionGuard guard = new TransitionGuard();

	private SecureStreams streams;

	@BeforeAll
	static void startBroker() throws Exception {
		broker = MoquetteBroker.start(dataDir, false, true, null);
	}

	@AfterAll
	static void stopBroker() {
		broker.close();
	}

	@AfterEach
	void stop() {
		if (this.streams != null) {
			this.streams.close();
		}
		this.guard.assertNoViolations();
	}

	static SystemBlobs clientCertificate(String clientId) {
		return new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId)
			.clientCertificate(0, TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
					TestPki.client().getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII));
	}

	private StreamTypePolicy.Builder secure(PolicyFragment fragment) {
		return MqttPolicies.mqtt(fragment, "secure", broker.tlsPort())
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.MQTT_TOPIC, "tls/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "tls/down")
			.set(StreamTypeKey.MQTT_QOS, 1);
	}

	@Test
	void connectsWithThePolicyTrustStoreAndAClientCertificate() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		secure(fragment).set(StreamTypeKey.CLIENT_CERT, 0);
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(2)
			.systemBlobs(clientCertificate("tls-client")).listener(this.guard).build();
		try (PahoClient paho = PahoClient.connect(broker.port(), "tls-paho", true).subscribe("tls/up", 1)) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = this.streams.create("secure", handler);
			stream.connect();
			paho.awaitDelivered("tls/down", handler, WAIT);
			handler.send(stream, "over tls");
			paho.awaitPayloads("tls/up", 1, WAIT);
			handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
			paho.publish("tls/down", "back over tls", 1, false);
			handler.awaitMessages(1, WAIT);
			assertThat(handler.payloads()).containsExactly("back over tls");
			assertThat(((InetSocketAddress) stream.peerAddress()).getPort()).isEqualTo(broker.tlsPort());
		}
	}

	@Test
	void withoutAClientCertificateTheBrokerCannotBeReached() {
		PolicyFragment fragment = MqttPolicies.base();
		secure(fragment).set(StreamTypeKey.RETRY, "once");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(2)
			.systemBlobs(clientCertificate("tls-anonymous")).listener(this.guard).build();
		MqttRecorder handler = new MqttRecorder();
		this.streams.create("secure", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, 1, WAIT);
		assertThat(handler.stateNames()).doesNotContain("CONNECTED").contains("UNREACHABLE");
	}

	@Test
	void aBrokerTheTrustStoreDoesNotVouchForCannotBeReached() {
		PolicyFragment fragment = MqttPolicies.base();
		secure(fragment).set(StreamTypeKey.CLIENT_CERT, 0).set(StreamTypeKey.TLS_TRUST_STORE, null)
			.set(StreamTypeKey.RETRY, "once");
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(2)
			.systemBlobs(clientCertificate("tls-untrusting")).listener(this.guard).build();
		MqttRecorder handler = new MqttRecorder();
		this.streams.create("secure", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, 1, WAIT);
		assertThat(handler.stateNames()).doesNotContain("CONNECTED").contains("UNREACHABLE");
	}

}
