package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ALPN protocol AWS IoT needs ({@code x-amzn-mqtt-ca}) is offered in the TLS handshake of
 * {@code aws_iot} streamtypes only, as recorded by a TLS MQTT server.
 */
class MqttAwsIotAlpnTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private FakeMqttBroker broker() {
		return this.resources.closing(new FakeMqttBroker(TestPki.serverContext(TestPki.server())));
	}

	private static StreamTypePolicy.Builder secure(PolicyFragment fragment, String name, int port) {
		return MqttPolicies.mqtt(fragment, name, port)
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.MQTT_TOPIC, name + "/up");
	}

	private SecureStreams start(PolicyFragment fragment) {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "alpn-client");
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).systemBlobs(blobs));
	}

	@Test
	void awsIotOffersTheAwsProtocolAndOthersOfferNone() {
		FakeMqttBroker broker = broker();
		PolicyFragment fragment = MqttPolicies.base();
		secure(fragment, "aws", broker.port()).set(StreamTypeKey.AWS_IOT, true);
		secure(fragment, "plain", broker.port());
		SecureStreams streams = start(fragment);
		MqttRecorder aws = new MqttRecorder();
		streams.create("aws", aws).connect();
		aws.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(broker.alpnOffers()).containsExactly(List.of("x-amzn-mqtt-ca"));
		// Same broker, trust and client id, but the handshake differs: a connection of its own.
		MqttRecorder plain = new MqttRecorder();
		streams.create("plain", plain).connect();
		plain.await(StreamState.CONNECTED, 1, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> broker.alpnOffers().size() == 2);
		assertThat(broker.alpnOffers()).containsExactly(List.of("x-amzn-mqtt-ca"), List.of());
		assertThat(broker.received("CONNECT")).hasSize(2);
	}

	@Test
	void withoutTlsAwsIotStreamsShareThePlainConnection() {
		FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "aws", broker.port()).set(StreamTypeKey.AWS_IOT, true);
		MqttPolicies.mqtt(fragment, "plain", broker.port());
		SecureStreams streams = start(fragment);
		MqttRecorder aws = new MqttRecorder();
		streams.create("aws", aws).connect();
		aws.await(StreamState.CONNECTED, 1, WAIT);
		MqttRecorder plain = new MqttRecorder();
		streams.create("plain", plain).connect();
		plain.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(broker.received("CONNECT")).hasSize(1);
		assertThat(broker.alpnOffers()).isEmpty();
	}

}
