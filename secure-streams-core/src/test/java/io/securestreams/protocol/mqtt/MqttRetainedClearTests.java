package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
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
 * An {@code onTx} that writes nothing publishes an empty message, which with {@code mqtt_retain}
 * clears the broker's retained message (MQTT 3.1.1 section 3.3.1.3), and reaches subscribing
 * streams as an empty buffer with {@code SOM | EOM}.
 */
class MqttRetainedClearTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anEmptyRetainedMessageClearsTheRetainedMessage() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "status", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "clear/status")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "clear/status")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.MQTT_RETAIN, true);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-clear")));
		MqttRecorder status = new MqttRecorder();
		SecureStream stream = streams.create("status", status);
		stream.connect();
		status.await(StreamState.CONNECTED, 1, WAIT);
		status.send(stream, "online");
		status.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		PahoClient first = this.resources.closing(PahoClient.connect(broker.port(), "paho-clear-1", true))
			.subscribe("clear/status", 1);
		first.awaitPayloads("clear/status", 1, WAIT);
		status.send(stream, "");
		status.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		status.awaitMessages(2, WAIT);
		assertThat(status.messages).containsExactly(
				new MqttRecorder.Message("online", StreamFlags.SOM | StreamFlags.EOM, ""),
				new MqttRecorder.Message("", StreamFlags.SOM | StreamFlags.EOM, ""));
		PahoClient late = this.resources.closing(PahoClient.connect(broker.port(), "paho-clear-2", true))
			.subscribe("clear/status", 1);
		Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
			.until(() -> late.received().isEmpty());
		assertThat(status.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

}
