package io.securestreams.protocol.mqtt;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT over TLS to an embedded Moquette that requires client certificates from the test CA.
 */
class MqttTlsTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(true);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	static SystemBlobs clientCertificate(String clientId) {
		return new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId)
			.clientCertificate(0, TestPki.client().getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII),
					TestPki.client().getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII));
	}

	private void start(PolicyFragment fragment, String clientId) {
		this.streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2)
			.systemBlobs(clientCertificate(clientId)));
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
		start(fragment, "tls-client");
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
		start(fragment, "tls-anonymous");
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
		start(fragment, "tls-untrusting");
		MqttRecorder handler = new MqttRecorder();
		this.streams.create("secure", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, 1, WAIT);
		assertThat(handler.stateNames()).doesNotContain("CONNECTED").contains("UNREACHABLE");
	}

}
