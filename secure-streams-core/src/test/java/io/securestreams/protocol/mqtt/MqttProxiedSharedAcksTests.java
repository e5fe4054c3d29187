package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QoS 1 acknowledgements of proxied MQTT streams that share one broker connection each reach the
 * link of the stream that published the message, as QOS_ACK_REMOTE.
 */
class MqttProxiedSharedAcksTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void eachPublishersAcknowledgementsReachItsOwnLink() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "one", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "acks/one")
			.set(StreamTypeKey.MQTT_QOS, 1);
		MqttPolicies.mqtt(fragment, "two", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "acks/two")
			.set(StreamTypeKey.MQTT_QOS, 1);
		PahoClient paho = this.resources.closing(PahoClient.connect(broker.port(), "paho-acks", true))
			.subscribe("acks/#", 1);
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-acks");
		StreamsUnderTest streams = this.resources.start(Mode.PROXIED, fragment.build(),
				(b) -> b.eventLoopThreads(2).systemBlobs(blobs));
		MqttRecorder first = new MqttRecorder();
		MqttRecorder second = new MqttRecorder();
		SecureStream one = streams.streams().create("one", first);
		SecureStream two = streams.streams().create("two", second);
		one.connect();
		two.connect();
		first.await(StreamState.CONNECTED, 1, WAIT);
		second.await(StreamState.CONNECTED, 1, WAIT);
		first.send(one, "a1", "a2", "a3");
		second.send(two, "b1");
		paho.awaitPayloads("acks/one", 3, WAIT);
		paho.awaitPayloads("acks/two", 1, WAIT);
		first.await(StreamState.QOS_ACK_REMOTE, 3, WAIT);
		second.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		Awaitility.await().during(Duration.ofMillis(500)).atMost(WAIT).until(() ->
				first.count(StreamState.QOS_ACK_REMOTE) == 3 && second.count(StreamState.QOS_ACK_REMOTE) == 1);
		assertThat(streams.relay().links()).hasSize(2);
	}

}
