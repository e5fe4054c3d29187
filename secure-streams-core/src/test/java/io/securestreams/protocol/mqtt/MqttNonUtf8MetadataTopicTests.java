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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata set as bytes that are not UTF-8 and expanded into {@code mqtt_topic} turns into
 * U+FFFD: publishing that topic would send other bytes than the application gave, to a topic the
 * client itself refuses as ill-formed when a broker delivers it (section 1.5.3), closing its own
 * connection over it. The message is refused with a warning naming the topic instead.
 */
class MqttNonUtf8MetadataTopicTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void aTopicExpandedFromBytesThatAreNotUtf8IsRefused() throws Exception {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/${id}")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("id"));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "bytes-client")));
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create("device", handler);
		stream.setMetadata("id", new byte[] { 'a', (byte) 0xff });
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		try (LogCapture logs = new LogCapture()) {
			handler.send(stream, "m");
			handler.await(StreamState.QOS_NACK_REMOTE, 1, WAIT);
			assertThat(logs.warnings()).anyMatch((line) -> line.contains("dev/a\uFFFD") && line.contains("UTF-8"));
		}
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> this.broker.received("PUBLISH").isEmpty());
		assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE");
	}

}
