package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker that accepts the TCP connection, takes the CONNECT and answers nothing: the client
 * closes the connection after the CONNACK wait with a line saying so, the stream sees
 * UNREACHABLE (never CONNECTED), and backoff tries again.
 */
class MqttSilentBrokerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void noConnAckFailsTheAttemptAfterTheWaitAndIsRetried() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			PolicyFragment fragment = MqttPolicies.base();
			MqttPolicies.mqtt(fragment, "device", peer.port()).set(StreamTypeKey.MQTT_TOPIC, "dev/up");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "silent-client")));
			MqttRecorder handler = new MqttRecorder();
			streams.create("device", handler).connect();
			RawMqttPeer.Connection silent = peer.accept(WAIT);
			silent.readType(1, WAIT);
			Duration wait = Duration.ofSeconds(MqttNetworkConnection.CONNACK_TIMEOUT_SECONDS);
			assertThat(silent.closedWithin(wait.plus(WAIT))).as("the client gives up on the CONNACK").isTrue();
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertThat(logs.contains("no CONNACK within " + wait.toSeconds() + " s")).as(logs.messages().toString())
				.isTrue();
			RawMqttPeer.Connection next = peer.accept(WAIT);
			next.readType(1, WAIT);
			next.write(RawMqttPeer.connAck(false, 0));
			handler.await(StreamState.CONNECTED, 1, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "CONNECTED");
		}
	}

}
