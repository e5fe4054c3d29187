package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Host names are case-insensitive: two streamtypes whose endpoints name one broker in different
 * case reach the same broker, so they share its connection (mqtt.md), rather than the second
 * being refused for ever because the client id of the blobs is in use by the first. For the same
 * reason the creation check that sharing streamtypes agree compares the host without case.
 */
class MqttHostNameCaseTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void endpointsDifferingOnlyInCaseShareOneConnection() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "lower", this.broker.port())
			.set(StreamTypeKey.ENDPOINT, "localhost")
			.set(StreamTypeKey.MQTT_TOPIC, "dev/lower");
		MqttPolicies.mqtt(fragment, "upper", this.broker.port())
			.set(StreamTypeKey.ENDPOINT, "LocalHost")
			.set(StreamTypeKey.MQTT_TOPIC, "dev/upper");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "case-client")));
		MqttRecorder lower = new MqttRecorder();
		MqttRecorder upper = new MqttRecorder();
		SecureStream lowerStream = streams.create("lower", lower);
		lowerStream.connect();
		lower.await(StreamState.CONNECTED, 1, WAIT);
		SecureStream upperStream = streams.create("upper", upper);
		upperStream.connect();
		upper.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(upper.states).doesNotContain(StreamState.UNREACHABLE);
		assertThat(this.broker.received("CONNECT")).hasSize(1);
	}

	@Test
	void endpointsDifferingOnlyInCaseThatDisagreeOnKeepAliveFailAtCreation() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "lower", this.broker.port())
			.set(StreamTypeKey.ENDPOINT, "localhost")
			.set(StreamTypeKey.MQTT_KEEP_ALIVE, 60);
		MqttPolicies.mqtt(fragment, "upper", this.broker.port())
			.set(StreamTypeKey.ENDPOINT, "LocalHost")
			.set(StreamTypeKey.MQTT_KEEP_ALIVE, 30);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("upper", new MqttRecorder()))
			.withMessageContaining("'lower'")
			.withMessageContaining("mqtt_keep_alive");
		assertThat(this.broker.connections()).isZero();
	}

}
