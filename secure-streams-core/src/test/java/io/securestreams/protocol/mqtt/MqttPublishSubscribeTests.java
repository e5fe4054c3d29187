package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Publish and subscribe through an embedded Moquette broker, checked with an independent Paho
 * client.
 */
class MqttPublishSubscribeTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams start(Policy policy, String clientId) {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId);
		return this.resources.start(SecureStreams.builder(policy).eventLoopThreads(2).systemBlobs(blobs));
	}

	private PahoClient paho(String clientId) throws Exception {
		return this.resources.closing(PahoClient.connect(broker.port(), clientId, true));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void publishesAndReceivesAtEachQos(int qos) throws Exception {
		String prefix = "pubsub/qos" + qos;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, prefix + "/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, prefix + "/down/#")
			.set(StreamTypeKey.MQTT_QOS, qos)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("topic"));
		PahoClient paho = paho("paho-pubsub-" + qos).subscribe(prefix + "/up", qos);
		SecureStreams streams = start(fragment.build(), "ss-pubsub-" + qos);
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create("device", handler);
		stream.connect();
		paho.awaitDelivered(prefix + "/down/probe", handler, WAIT);
		handler.send(stream, "one", "two", "three");
		paho.awaitPayloads(prefix + "/up", 3, WAIT);
		assertThat(paho.payloads(prefix + "/up")).containsExactly("one", "two", "three");
		assertThat(paho.received()).allSatisfy((r) -> assertThat(r.qos()).isEqualTo(qos));
		paho.publish(prefix + "/down/a", "hello a", qos, false);
		paho.publish(prefix + "/down/b/c", "hello bc", qos, false);
		handler.awaitMessages(2, WAIT);
		assertThat(handler.messages).containsExactly(
				new MqttRecorder.Message("hello a", StreamFlags.SOM | StreamFlags.EOM, prefix + "/down/a"),
				new MqttRecorder.Message("hello bc", StreamFlags.SOM | StreamFlags.EOM, prefix + "/down/b/c"));
		if (qos > 0) {
			handler.await(StreamState.QOS_ACK_REMOTE, 3, WAIT);
		}
		assertThat(handler.count(StreamState.QOS_ACK_REMOTE)).isEqualTo((qos > 0) ? 3 : 0);
		assertThat(handler.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

	@Test
	void retainedMessagesReachSubscribersThatComeLater() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "status", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "retained/out")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.MQTT_RETAIN, true);
		MqttPolicies.mqtt(fragment, "late", broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "retained/in")
			.set(StreamTypeKey.MQTT_QOS, 1);
		paho("paho-retainer").publish("retained/in", "kept for you", 1, true);
		SecureStreams streams = start(fragment.build(), "ss-retain");
		MqttRecorder status = new MqttRecorder();
		SecureStream statusStream = streams.create("status", status);
		statusStream.connect();
		status.await(StreamState.CONNECTED, 1, WAIT);
		status.send(statusStream, "online");
		status.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		PahoClient late = paho("paho-late").subscribe("retained/out", 1);
		// Only a retained message reaches a subscriber that came after it was published. (Moquette 0.17
		// does not set the RETAIN flag on such deliveries; the mosquitto interop test checks the flag.)
		late.awaitPayloads("retained/out", 1, WAIT);
		assertThat(late.payloads("retained/out")).containsExactly("online");
		MqttRecorder lateStream = new MqttRecorder();
		streams.create("late", lateStream).connect();
		lateStream.awaitMessages(1, WAIT);
		assertThat(lateStream.payloads()).containsExactly("kept for you");
	}

}
