package io.securestreams.protocol.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker restart while 1,000 QoS 1 messages await their PUBACK: every message
 * reaches the subscriber at least once and every transaction ends with exactly one ACK or NACK.
 * <p>
 * The restarted broker has lost every session (Moquette 0.17's persistent mode fails with
 * "increment : 0" when a restored subscription is published to after a restart, so it runs in
 * memory), so the publisher publishes its unacknowledged QoS 1 messages again in the new
 * session. Resending with DUP in a resumed session is covered against mosquitto and the fake
 * broker.
 */
class MqttBrokerRestartTests {

	private static final int MESSAGES = 1000;

	private static final Duration WAIT = Duration.ofSeconds(60);

	@TempDir
	Path dataDir;

	@Test
	void everyMessageArrivesAndEveryTransactionEndsWhenTheBrokerRestartsWithMessagesInFlight() throws Exception {
		TransitionGuard guard = new TransitionGuard();
		try (MoquetteBroker broker = MoquetteBroker.start(this.dataDir, false, false, null);
				TcpRelay relay = new TcpRelay(broker.port());
				PahoClient subscriber = PahoClient.connect(broker.port(), "restart-subscriber", true)
					.subscribe("restart/#", 1)) {
			PolicyFragment fragment = MqttPolicies.base();
			MqttPolicies.mqtt(fragment, "burst", relay.port())
				.set(StreamTypeKey.MQTT_TOPIC, "restart/burst")
				.set(StreamTypeKey.MQTT_QOS, 1);
			SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "restart-publisher");
			try (SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(2)
				.systemBlobs(blobs).listener(guard).build()) {
				MqttRecorder publisher = new MqttRecorder();
				SecureStream stream = streams.create("burst", publisher);
				stream.connect();
				publisher.await(StreamState.CONNECTED, 1, WAIT);
				// The broker gets every PUBLISH, but its PUBACKs are held back: all 1,000 stay in flight.
				relay.holdReplies(true);
				publisher.send(stream, IntStream.range(0, MESSAGES).mapToObj((i) -> "m-" + i).toArray(String[]::new));
				subscriber.awaitPayloads("restart/burst", MESSAGES / 2, WAIT);
				assertThat(publisher.count(StreamState.QOS_ACK_REMOTE)).as("acknowledged before the restart").isZero();
				int renewedBefore = subscriber.resubscriptions();
				relay.refuse(true);
				broker.restart();
				relay.killAll();
				relay.holdReplies(false);
				// The restarted broker has no sessions: the publisher may only come back once the
				// subscriber has subscribed again, or the messages it publishes again reach nobody.
				Awaitility.await().atMost(WAIT).until(() -> subscriber.resubscriptions() > renewedBefore);
				relay.refuse(false);
				Awaitility.await().atMost(WAIT).until(() -> publisher.count(StreamState.QOS_ACK_REMOTE)
						+ publisher.count(StreamState.QOS_NACK_REMOTE) >= MESSAGES);
				Awaitility.await().atMost(WAIT)
					.until(() -> new HashSet<>(subscriber.payloads("restart/burst")).size() == MESSAGES);
				Set<String> expected = new HashSet<>();
				IntStream.range(0, MESSAGES).forEach((i) -> expected.add("m-" + i));
				assertThat(new HashSet<>(subscriber.payloads("restart/burst"))).isEqualTo(expected);
				assertThat(publisher.count(StreamState.QOS_ACK_REMOTE) + publisher.count(StreamState.QOS_NACK_REMOTE))
					.isEqualTo(MESSAGES);
				assertThat(publisher.count(StreamState.QOS_ACK_REMOTE)).isEqualTo(MESSAGES);
				assertThat(publisher.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "CONNECTED");
			}
		}
		guard.assertNoViolations();
	}

}
