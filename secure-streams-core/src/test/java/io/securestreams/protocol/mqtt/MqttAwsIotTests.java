package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
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
 * What {@code aws_iot} changes besides device shadows, checked against a fake broker: the ALPN
 * protocol AWS IoT needs ({@code x-amzn-mqtt-ca}) is offered in the TLS handshake of
 * {@code aws_iot} streamtypes only, and topics expanded from metadata follow the AWS IoT limits.
 */
class MqttAwsIotTests {

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
		SecureStream awsStream = streams.create("aws", aws);
		awsStream.connect();
		aws.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(broker.alpnOffers()).containsExactly(List.of("x-amzn-mqtt-ca"));
		// Same broker, trust and client id, but the handshake differs: a connection of its own,
		// which with the same client id waits until the first is gone (AWS IoT would drop one).
		MqttRecorder plain = new MqttRecorder();
		streams.create("plain", plain).connect();
		plain.await(StreamState.UNREACHABLE, 1, WAIT);
		assertThat(broker.alpnOffers()).hasSize(1);
		awsStream.destroy();
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

	@Test
	void anExpandedPublishTopicBeyondTheLimitsIsRefused() {
		FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());
		broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		for (String name : new String[] { "aws", "plain" }) {
			MqttPolicies.mqtt(fragment, name, broker.port())
				.set(StreamTypeKey.AWS_IOT, name.equals("aws"))
				.set(StreamTypeKey.METADATA, MqttPolicies.metadata("path"))
				.set(StreamTypeKey.MQTT_TOPIC, name + "/${path}")
				.set(StreamTypeKey.MQTT_QOS, 1);
		}
		SecureStreams streams = start(fragment);
		String tooLong = "x".repeat(253);
		MqttRecorder aws = new MqttRecorder();
		SecureStream awsStream = streams.create("aws", aws);
		awsStream.setMetadata("path", tooLong);
		awsStream.connect();
		aws.await(StreamState.CONNECTED, 1, WAIT);
		aws.send(awsStream, "too long", "slashes");
		aws.await(StreamState.QOS_NACK_REMOTE, 1, WAIT);
		awsStream.setMetadata("path", "a/b/c/d/e/f/g/h");
		aws.await(StreamState.QOS_NACK_REMOTE, 2, WAIT);
		MqttRecorder plain = new MqttRecorder();
		SecureStream plainStream = streams.create("plain", plain);
		plainStream.setMetadata("path", tooLong);
		plainStream.connect();
		plain.await(StreamState.CONNECTED, 1, WAIT);
		plain.send(plainStream, "long is fine");
		plain.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(broker.received("PUBLISH")).singleElement().asString().startsWith("PUBLISH plain/" + tooLong);
		assertThat(aws.count(StreamState.QOS_ACK_REMOTE)).isZero();
	}

	@Test
	void anExpandedFilterBeyondTheRulesMakesTheAttemptFail() {
		FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());
		PolicyFragment fragment = MqttPolicies.base();
		for (String name : new String[] { "aws", "plain" }) {
			MqttPolicies.mqtt(fragment, name, broker.port())
				.set(StreamTypeKey.AWS_IOT, name.equals("aws"))
				.set(StreamTypeKey.METADATA, MqttPolicies.metadata("filter"))
				.set(StreamTypeKey.MQTT_SUBSCRIBE, "${filter}")
				.set(StreamTypeKey.RETRY, "once");
		}
		SecureStreams streams = start(fragment);
		assertThat(attempt(streams, "plain", "$aws/things/dev1/shadow/get/accepted")).contains("UNREACHABLE");
		assertThat(attempt(streams, "aws", "$aws/things/dev1/a/b/c/d/e/f/g/h/#")).contains("UNREACHABLE");
		assertThat(attempt(streams, "aws", "$aws/things/dev1/shadow/get/accepted")).contains("CONNECTED");
		assertThat(broker.received("SUBSCRIBE")).containsExactly("SUBSCRIBE $aws/things/dev1/shadow/get/accepted");
	}

	/** Connects a stream subscribing to {@code filter}; returns its states once it connected or gave up. */
	private static List<String> attempt(SecureStreams streams, String streamType, String filter) {
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create(streamType, handler);
		stream.setMetadata("filter", filter);
		stream.connect();
		Awaitility.await().atMost(WAIT).until(() -> handler.stateNames().contains("CONNECTED")
				|| handler.stateNames().contains("ALL_RETRIES_FAILED"));
		return handler.stateNames();
	}

}
