package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acknowledgement a QoS 2 birth message is waited for: its PUBCOMP, after PUBREC and PUBREL;
 * a PUBACK with its packet id completes nothing (before, it made the streams CONNECTED and freed
 * the packet id while the broker might still hold it).
 */
class MqttBirthAckKindTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	/**
	 * docs/mqtt.md: the birth is "published once per network connection, after CONNACK and before
	 * any stream on the connection is reported CONNECTED; with QoS 1 or 2 the broker's
	 * acknowledgement is awaited first" and CONNECTED needs it "acknowledged (PUBACK, or PUBCOMP
	 * for QoS 2)". A PUBACK is no acknowledgement of a QoS 2 PUBLISH (the outbox ignores one for
	 * its QoS 2 messages), yet it completes the QoS 2 birth: the stream is CONNECTED before the
	 * broker ever sent PUBREC, and the birth's packet id is freed while the broker may still hold it.
	 */
	@Test
	void pubAckForAQos2BirthDoesNotCompleteIt() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "dev/status")
			.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "up")
			.set(StreamTypeKey.MQTT_BIRTH_QOS, 2);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "birth-client")));
		MqttRecorder handler = new MqttRecorder();
		streams.create("device", handler).connect();
		this.broker.awaitReceived("PUBLISH dev/status", 1, WAIT);
		int birthId = this.broker.publishId(0);
		this.broker.reply(MqttMessageType.PUBACK, birthId);
		Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofMillis(1500)).untilAsserted(() -> {
			assertThat(this.broker.received("PUBREL")).as("no PUBREC came, so no PUBREL goes out").isEmpty();
			assertThat(handler.stateNames()).as("states before the birth's PUBCOMP").doesNotContain("CONNECTED");
		});
		// Its own exchange completes it.
		this.broker.reply(MqttMessageType.PUBREC, birthId);
		this.broker.awaitReceived("PUBREL", 1, WAIT);
		this.broker.reply(MqttMessageType.PUBCOMP, birthId);
		handler.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(this.broker.connections()).isEqualTo(1);
	}

}
