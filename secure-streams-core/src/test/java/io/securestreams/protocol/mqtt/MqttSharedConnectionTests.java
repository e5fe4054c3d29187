package io.securestreams.protocol.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Streams of two streamtypes sharing one broker connection (embedded Moquette), with a TCP
 * relay in between where a test needs to cut the connection.
 */
class MqttSharedConnectionTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@TempDir
	static Path dataDir;

	private static MoquetteBroker broker;

	private final TransitionGuard guard = new TransitionGuard();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@BeforeAll
	static void startBroker() throws Exception {
		broker = MoquetteBroker.start(dataDir, false, false, null);
	}

	@AfterAll
	static void stopBroker() {
		broker.close();
	}

	@AfterEach
	void stop() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
		this.guard.assertNoViolations();
	}

	private SecureStreams start(Policy policy, String clientId) {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId);
		SecureStreams streams = SecureStreams.builder(policy).eventLoopThreads(2).systemBlobs(blobs)
			.listener(this.guard).build();
		this.closeables.add(streams);
		return streams;
	}

	private <T extends AutoCloseable> T closing(T closeable) {
		this.closeables.add(closeable);
		return closeable;
	}

	/** Two streamtypes on one endpoint, alpha and beta, each with its own topics. */
	private static PolicyFragment alphaAndBeta(String prefix, int port) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "alpha", port)
			.set(StreamTypeKey.MQTT_TOPIC, prefix + "/alpha/out")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, prefix + "/alpha/in")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.MQTT_CLEAN_START, true);
		MqttPolicies.mqtt(fragment, "beta", port)
			.set(StreamTypeKey.MQTT_TOPIC, prefix + "/beta/out")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, prefix + "/beta/in/+")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.MQTT_CLEAN_START, true);
		return fragment;
	}

	@Test
	void twoStreamtypesShareOneConnectionAndEachGetsOnlyItsOwnMessages() throws Exception {
		SecureStreams streams = start(alphaAndBeta("share", broker.port()).build(), "ss-share");
		PahoClient paho = closing(PahoClient.connect(broker.port(), "paho-share", true)).subscribe("share/+/out", 1);
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		SecureStream alphaStream = streams.create("alpha", alpha);
		SecureStream betaStream = streams.create("beta", beta);
		alphaStream.connect();
		betaStream.connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		paho.publish("share/alpha/in", "for alpha", 1, false);
		paho.publish("share/beta/in/x", "for beta", 1, false);
		paho.publish("share/gamma/in", "for nobody", 1, false);
		alpha.awaitMessages(1, WAIT);
		beta.awaitMessages(1, WAIT);
		alpha.send(alphaStream, "from alpha");
		beta.send(betaStream, "from beta");
		paho.awaitPayloads("share/alpha/out", 1, WAIT);
		paho.awaitPayloads("share/beta/out", 1, WAIT);
		alpha.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		beta.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(alpha.payloads()).containsExactly("for alpha");
		assertThat(beta.payloads()).containsExactly("for beta");
		assertThat(broker.count("CONNECT ss-share")).isEqualTo(1);
		assertThat(broker.connectedClients()).containsOnlyOnce("ss-share");
		assertThat(broker.events()).contains("SUBSCRIBE ss-share share/alpha/in", "SUBSCRIBE ss-share share/beta/in/+");
	}

	@Test
	void streamtypesThatWouldShareAConnectionMustAgreeOnItsSettings() {
		PolicyFragment fragment = alphaAndBeta("conflict", 1883);
		fragment.streamType("beta").set(StreamTypeKey.MQTT_KEEP_ALIVE, 30);
		SecureStreams streams = start(fragment.build(), "ss-conflict");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("alpha", new MqttRecorder()))
			.withMessageContaining("'alpha' and 'beta'")
			.withMessageContaining("mqtt_keep_alive (60 vs 30)");
		PolicyFragment wills = alphaAndBeta("conflict", 1883);
		wills.streamType("alpha").set(StreamTypeKey.MQTT_WILL_TOPIC, "conflict/will");
		SecureStreams other = start(wills.build(), "ss-conflict-2");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> other.create("beta", new MqttRecorder()))
			.withMessageContaining("the will");
	}

	@Test
	void everySharingStreamReconnectsAndResubscribesAfterTheConnectionDrops() throws Exception {
		TcpRelay relay = closing(new TcpRelay(broker.port()));
		SecureStreams streams = start(alphaAndBeta("drop", relay.port()).build(), "ss-drop");
		PahoClient paho = closing(PahoClient.connect(broker.port(), "paho-drop", true));
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		streams.create("alpha", alpha).connect();
		streams.create("beta", beta).connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		relay.killAll();
		alpha.await(StreamState.CONNECTED, 2, WAIT);
		beta.await(StreamState.CONNECTED, 2, WAIT);
		paho.publish("drop/alpha/in", "alpha again", 1, false);
		paho.publish("drop/beta/in/y", "beta again", 1, false);
		alpha.awaitMessages(1, WAIT);
		beta.awaitMessages(1, WAIT);
		assertThat(alpha.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "POLL", "CONNECTING",
				"CONNECTED");
		assertThat(beta.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "POLL", "CONNECTING",
				"CONNECTED");
		assertThat(relay.accepted()).isEqualTo(2);
		Awaitility.await().atMost(WAIT).until(() -> broker.count("CONNECT ss-drop") == 2);
	}

	@Test
	void disconnectMeFromTxUnsubscribesThatStreamAndKeepsTheSharedConnection() throws Exception {
		SecureStreams streams = start(alphaAndBeta("txdm", broker.port()).build(), "ss-txdm");
		PahoClient paho = closing(PahoClient.connect(broker.port(), "paho-txdm", true));
		MqttRecorder alpha = new MqttRecorder().txResult(StreamResult.DISCONNECT_ME);
		MqttRecorder beta = new MqttRecorder();
		SecureStream alphaStream = streams.create("alpha", alpha);
		streams.create("beta", beta).connect();
		alphaStream.connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		alphaStream.requestTx();
		alpha.await(StreamState.DISCONNECTED, 1, WAIT);
		assertThat(broker.events()).contains("UNSUBSCRIBE ss-txdm txdm/alpha/in");
		paho.publish("txdm/beta/in/z", "beta still here", 1, false);
		beta.awaitMessages(1, WAIT);
		assertThat(beta.stateNames()).doesNotContain("DISCONNECTED");
		assertThat(broker.count("CONNECT ss-txdm")).isEqualTo(1);
		assertThat(broker.events()).doesNotContain("DISCONNECT ss-txdm", "LOST ss-txdm");
	}

	@Test
	void disconnectMeFromRxDetachesOnlyThatStreamAndTheLastStreamClosesTheConnection() throws Exception {
		SecureStreams streams = start(alphaAndBeta("rxdm", broker.port()).build(), "ss-rxdm");
		PahoClient paho = closing(PahoClient.connect(broker.port(), "paho-rxdm", true));
		MqttRecorder alpha = new MqttRecorder().rxResult(StreamResult.DISCONNECT_ME);
		MqttRecorder beta = new MqttRecorder();
		streams.create("alpha", alpha).connect();
		SecureStream betaStream = streams.create("beta", beta);
		betaStream.connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		paho.publish("rxdm/alpha/in", "leave", 1, false);
		alpha.await(StreamState.DISCONNECTED, 1, WAIT);
		paho.publish("rxdm/beta/in/z", "stay", 1, false);
		beta.awaitMessages(1, WAIT);
		assertThat(beta.stateNames()).doesNotContain("DISCONNECTED");
		assertThat(broker.events()).doesNotContain("DISCONNECT ss-rxdm", "LOST ss-rxdm");
		assertThat(broker.count("CONNECT ss-rxdm")).isEqualTo(1);
		betaStream.destroy();
		beta.await(StreamState.DESTROYING, 1, WAIT);
		// Moquette records an orderly DISCONNECT packet as DISCONNECT (and then LOST); a cut as LOST only.
		Awaitility.await().atMost(WAIT).until(() -> broker.events().contains("DISCONNECT ss-rxdm"));
		assertThat(broker.events()).doesNotContain("UNSUBSCRIBE ss-rxdm rxdm/alpha/in");
		assertThat(broker.count("CONNECT ss-rxdm")).isEqualTo(1);
	}

	@Test
	void disconnectMeFromConnectedDetachesOnlyThatStream() throws Exception {
		SecureStreams streams = start(alphaAndBeta("statedm", broker.port()).build(), "ss-statedm");
		PahoClient paho = closing(PahoClient.connect(broker.port(), "paho-statedm", true));
		MqttRecorder beta = new MqttRecorder();
		streams.create("beta", beta).connect();
		beta.await(StreamState.CONNECTED, 1, WAIT);
		MqttRecorder alpha = new MqttRecorder()
			.onState((stream, state) -> (state == StreamState.CONNECTED) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		streams.create("alpha", alpha).connect();
		alpha.await(StreamState.DISCONNECTED, 1, WAIT);
		assertThat(alpha.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		paho.publish("statedm/beta/in/z", "beta unaffected", 1, false);
		beta.awaitMessages(1, WAIT);
		assertThat(beta.stateNames()).doesNotContain("DISCONNECTED");
		assertThat(broker.count("CONNECT ss-statedm")).isEqualTo(1);
	}

	@Test
	void willIsPublishedWhenTheConnectionIsKilledAndBirthOncePerConnection() throws Exception {
		TcpRelay relay = closing(new TcpRelay(broker.port()));
		PolicyFragment fragment = alphaAndBeta("lifecycle", relay.port());
		for (String name : List.of("alpha", "beta")) {
			fragment.streamType(name)
				.set(StreamTypeKey.MQTT_WILL_TOPIC, "lifecycle/status")
				.set(StreamTypeKey.MQTT_WILL_MESSAGE, "gone")
				.set(StreamTypeKey.MQTT_WILL_QOS, 1)
				.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "lifecycle/status")
				.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "born")
				.set(StreamTypeKey.MQTT_BIRTH_QOS, 1);
		}
		PahoClient paho = closing(PahoClient.connect(broker.port(), "paho-lifecycle", true))
			.subscribe("lifecycle/status", 1);
		SecureStreams streams = start(fragment.build(), "ss-lifecycle");
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		streams.create("alpha", alpha).connect();
		streams.create("beta", beta).connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		paho.awaitPayloads("lifecycle/status", 1, WAIT);
		relay.refuse(true);
		relay.killAll();
		paho.awaitPayloads("lifecycle/status", 2, WAIT);
		assertThat(paho.payloads("lifecycle/status")).containsExactly("born", "gone");
		relay.refuse(false);
		alpha.await(StreamState.CONNECTED, 2, WAIT);
		beta.await(StreamState.CONNECTED, 2, WAIT);
		paho.awaitPayloads("lifecycle/status", 3, WAIT);
		assertThat(paho.payloads("lifecycle/status")).containsExactly("born", "gone", "born");
	}

}
