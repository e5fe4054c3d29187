package io.securestreams.protocol.mqtt;

import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcomes of a proxied MQTT stream's messages as docs/proxy.md and docs/mqtt.md describe
 * them: the proxied client's table (libwebsockets' {@code sspc.c}, reference 1.2) takes
 * QOS_ACK_REMOTE after QOS_ACK_REMOTE but no QOS_NACK_REMOTE after an outcome and no outcome
 * after a QOS_NACK_REMOTE, so the proxy holds those back, with a log line for each, rather than
 * have the client destroy its stream. A message whose expanded topic holds a wildcard fails with
 * QOS_NACK_REMOTE.
 */
class MqttProxiedOutcomesTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@TempDir
	Path temp;

	// A QoS 1 streamtype whose topic comes from metadata "t", through a proxy, against a broker
	// that acknowledges what it accepts (a topic with a wildcard is refused: QOS_NACK_REMOTE).
	private ProxyUnderTest proxyForQos1Device() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/${t}")
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("t"))
			.set(StreamTypeKey.MQTT_QOS, 1);
		this.broker.acknowledgePublishes = true;
		return new ProxyUnderTest(fragment.build(), this.temp);
	}

	@Test
	void outcomesTheProxiedClientsTableForbidsAreHeldBackWithALogLine() throws Exception {
		try (ProxyUnderTest harness = proxyForQos1Device();
				LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = harness.client().create("device", handler);
			stream.setMetadata("t", "a");
			stream.connect();
			handler.await(StreamState.CONNECTED, 1, WAIT);
			handler.send(stream, "one");
			handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
			handler.send(stream, "two");
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			stream.setMetadata("t", "a/+");
			handler.send(stream, "refused");
			Awaitility.await().atMost(WAIT).until(() -> logs.contains("not forwarding QOS_NACK_REMOTE after "
					+ "QOS_ACK_REMOTE"));
			stream.setMetadata("t", "b");
			handler.send(stream, "three");
			this.broker.awaitReceived("PUBLISH dev/b", 1, WAIT);
			handler.await(StreamState.QOS_ACK_REMOTE, 3, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
					"QOS_ACK_REMOTE", "QOS_ACK_REMOTE");
		}
	}

	@Test
	void afterAQosNackRemoteNoOutcomeReachesTheProxiedClient() throws Exception {
		try (ProxyUnderTest harness = proxyForQos1Device();
				LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = harness.client().create("device", handler);
			stream.setMetadata("t", "a/+");
			stream.connect();
			handler.await(StreamState.CONNECTED, 1, WAIT);
			handler.send(stream, "refused");
			handler.await(StreamState.QOS_NACK_REMOTE, 1, WAIT);
			stream.setMetadata("t", "b");
			handler.send(stream, "delivered");
			this.broker.awaitReceived("PUBLISH dev/b", 1, WAIT);
			Awaitility.await().atMost(WAIT).until(() -> logs.contains("not forwarding QOS_ACK_REMOTE after "
					+ "QOS_NACK_REMOTE"));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_NACK_REMOTE");
		}
	}

}
