package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy's policy replaced without the streamtype of a connected proxied MQTT stream, whose
 * onward stream lives on the broker connection's loop: its link ends with one DISCONNECTED, which
 * the proxied client's table takes, while a stream of a streamtype that stays carries on.
 */
class MqttProxiedPolicyReplacedTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aVanishedStreamtypeEndsItsLinkWithOneDisconnected() throws Exception {
		PahoClient paho = this.resources.closing(PahoClient.connect(broker.port(), "paho-replaced", true))
			.subscribe("replaced/#", 1);
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "ss-replaced");
		StreamsUnderTest streams = this.resources.start(Mode.PROXIED, policy("kept", "gone"),
				(b) -> b.eventLoopThreads(2).systemBlobs(blobs));
		MqttRecorder kept = new MqttRecorder();
		MqttRecorder gone = new MqttRecorder();
		SecureStream keptStream = streams.streams().create("kept", kept);
		keptStream.connect();
		streams.streams().create("gone", gone).connect();
		kept.await(StreamState.CONNECTED, 1, WAIT);
		gone.await(StreamState.CONNECTED, 1, WAIT);
		streams.policyContext().replacePolicy(policy("kept"));
		gone.await(StreamState.DISCONNECTED, 1, WAIT);
		Awaitility.await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() ->
				gone.stateNames().equals(List.of("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED")));
		kept.send(keptStream, "still");
		paho.awaitPayloads("replaced/kept", 1, WAIT);
		kept.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
	}

	private static Policy policy(String... names) {
		PolicyFragment fragment = MqttPolicies.base();
		for (String name : names) {
			MqttPolicies.mqtt(fragment, name, broker.port())
				.set(StreamTypeKey.MQTT_TOPIC, "replaced/" + name)
				.set(StreamTypeKey.MQTT_QOS, 1);
		}
		return fragment.build();
	}

}
