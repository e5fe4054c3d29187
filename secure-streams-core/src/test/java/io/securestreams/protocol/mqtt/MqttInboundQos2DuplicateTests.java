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
 * MQTT 3.1.1 section 4.3.3 (method B) with a broker that sends a QoS 2 PUBLISH again, with DUP,
 * while the first copy is still held for a stream whose SUBACK has not come (so its PUBREC has
 * not gone out): the copy is neither delivered nor acknowledged on its own, and the stream gets
 * the message once, with one PUBREC once it was delivered.
 */
class MqttInboundQos2DuplicateTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void aCopySentAgainWhileTheFirstIsHeldIsDeliveredOnceAndAcknowledgedOnce() {
		this.broker.sessionPresent = true;
		this.broker.answerSubscribes = false;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down")
			.set(StreamTypeKey.MQTT_QOS, 2);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "dup-client")));
		MqttRecorder handler = new MqttRecorder();
		streams.create("device", handler).connect();
		this.broker.awaitReceived("SUBSCRIBE", 1, WAIT);
		this.broker.publish("dev/down", "exactly once", 2, 9, false);
		this.broker.publish("dev/down", "exactly once", 2, 9, true);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> this.broker.received("PUBREC").isEmpty());
		this.broker.subAck(2);
		handler.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.awaitReceived("PUBREC 9", 1, WAIT);
		this.broker.reply(MqttMessageType.PUBREL, 9);
		this.broker.awaitReceived("PUBCOMP 9", 1, WAIT);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> this.broker.received("PUBREC").size() == 1);
		assertThat(handler.payloads()).containsExactly("exactly once");
	}

}
