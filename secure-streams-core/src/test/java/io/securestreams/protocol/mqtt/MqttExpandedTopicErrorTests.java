package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A will or birth topic whose metadata expands to an invalid topic name (here a wildcard) fails
 * the attempt with a line that names the setting, since both are topic names that may share one
 * metadata value and the bare topic does not tell the user which template to fix. The same holds
 * for {@code mqtt_subscribe} (the attempt fails) and {@code mqtt_topic} (the message fails).
 */
class MqttExpandedTopicErrorTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@ParameterizedTest
	@ValueSource(strings = { "mqtt_will_topic", "mqtt_birth_topic" })
	void anExpandedWillOrBirthTopicWithAWildcardFailsWithALineNamingTheSetting(String setting) throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		boolean will = setting.equals("mqtt_will_topic");
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(will ? StreamTypeKey.MQTT_WILL_TOPIC : StreamTypeKey.MQTT_BIRTH_TOPIC, "dev/${id}/status")
			.set(will ? StreamTypeKey.MQTT_WILL_MESSAGE : StreamTypeKey.MQTT_BIRTH_MESSAGE, "gone")
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("id"));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "expand-client")));
		try (LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = streams.create("device", handler);
			stream.setMetadata("id", "a+b");
			stream.connect();
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertThat(this.broker.connections()).isZero();
			assertThat(logs.warnings()).as("a warning names the setting")
				.anyMatch((line) -> line.contains(setting) && line.contains("dev/a+b/status"));
		}
	}

	@Test
	void anExpandedSubscribeFilterThatIsInvalidFailsWithALineNamingTheSetting() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/${id}/cmd")
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("id"));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "expand-client")));
		try (LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = streams.create("device", handler);
			stream.setMetadata("id", "a#");
			stream.connect();
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertThat(this.broker.connections()).isZero();
			assertThat(logs.warnings()).as("a warning names the setting")
				.anyMatch((line) -> line.contains("mqtt_subscribe") && line.contains("dev/a#/cmd"));
		}
	}

	@Test
	void anExpandedPublishTopicWithAWildcardFailsTheMessageWithALineNamingTheSetting() throws Exception {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/${id}/up")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("id"));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "expand-client")));
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create("device", handler);
		stream.setMetadata("id", "a");
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		try (LogCapture logs = new LogCapture()) {
			stream.setMetadata("id", "a/+");
			handler.send(stream, "m");
			handler.await(StreamState.QOS_NACK_REMOTE, 1, WAIT);
			assertThat(logs.warnings()).as("a warning names the setting")
				.anyMatch((line) -> line.contains("mqtt_topic") && line.contains("dev/a/+/up"));
		}
		// The stream keeps working once the metadata makes a valid topic again.
		stream.setMetadata("id", "b/c");
		handler.send(stream, "n");
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(this.broker.received("PUBLISH")).singleElement().asString().startsWith("PUBLISH dev/b/c/up ");
	}

}
