package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Streams of two streamtypes sharing one broker connection (embedded Moquette). The streams
 * reach the broker through a TCP relay, which counts the network connections and can cut them.
 * <p>
 * Moquette 0.17 may close a connection whose SUBSCRIBE arrives before it finished handling the
 * CONNACK it sent (it marks the connection usable in a write listener); the streams then
 * reconnect. The tests therefore first wait until both streams receive, and only then start
 * watching states and connection counts.
 */
class MqttSharedConnectionTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static final AtomicInteger OBSERVERS = new AtomicInteger();

	private TcpRelay relay;

	private PahoClient paho;

	@BeforeEach
	void startRelayAndObserver() throws Exception {
		this.relay = this.resources.closing(new TcpRelay(broker.port()));
		this.paho = this.resources
			.closing(PahoClient.connect(broker.port(), "paho-shared-" + OBSERVERS.incrementAndGet(), true));
	}

	private SecureStreams start(PolicyFragment fragment, String clientId) {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs));
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

	/** Starts alpha and beta through the relay and waits until both receive what they subscribed to. */
	private SecureStream[] connectBoth(String prefix, MqttRecorder alpha, MqttRecorder beta) {
		SecureStreams shared = start(alphaAndBeta(prefix, this.relay.port()), "ss-" + prefix);
		SecureStream alphaStream = shared.create("alpha", alpha);
		SecureStream betaStream = shared.create("beta", beta);
		alphaStream.connect();
		betaStream.connect();
		this.paho.awaitDelivered(prefix + "/alpha/in", alpha, WAIT);
		this.paho.awaitDelivered(prefix + "/beta/in/probe", beta, WAIT);
		return new SecureStream[] { alphaStream, betaStream };
	}

	@Test
	void twoStreamtypesShareOneConnectionAndEachGetsOnlyItsOwnMessages() throws Exception {
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		SecureStream[] streams = connectBoth("share", alpha, beta);
		this.paho.subscribe("share/+/out", 1);
		this.paho.publish("share/alpha/in", "for alpha", 1, false);
		this.paho.publish("share/beta/in/x", "for beta", 1, false);
		this.paho.publish("share/gamma/in", "for nobody", 1, false);
		alpha.awaitMessages(1, WAIT);
		beta.awaitMessages(1, WAIT);
		alpha.send(streams[0], "from alpha");
		beta.send(streams[1], "from beta");
		this.paho.awaitPayloads("share/alpha/out", 1, WAIT);
		this.paho.awaitPayloads("share/beta/out", 1, WAIT);
		alpha.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		beta.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(alpha.payloads()).containsExactly("for alpha");
		assertThat(beta.payloads()).containsExactly("for beta");
		// Both streams work over one network connection, and every connection made carried one CONNECT.
		assertThat(this.relay.openConnections()).isEqualTo(1);
		Awaitility.await().atMost(WAIT).until(() -> broker.count("CONNECT ss-share") == this.relay.accepted());
		assertThat(broker.connectedClients()).containsOnlyOnce("ss-share");
	}

	@Test
	void streamtypesThatWouldShareAConnectionMustAgreeOnItsSettings() {
		PolicyFragment fragment = alphaAndBeta("conflict", 1883);
		fragment.streamType("beta").set(StreamTypeKey.MQTT_KEEP_ALIVE, 30);
		SecureStreams streams = start(fragment, "ss-conflict");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("alpha", new MqttRecorder()))
			.withMessageContaining("'alpha' and 'beta'")
			.withMessageContaining("mqtt_keep_alive (60 vs 30)");
		PolicyFragment wills = alphaAndBeta("conflict", 1883);
		wills.streamType("alpha").set(StreamTypeKey.MQTT_WILL_TOPIC, "conflict/will");
		SecureStreams other = start(wills, "ss-conflict-2");
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> other.create("beta", new MqttRecorder()))
			.withMessageContaining("the will");
	}

	@Test
	void everySharingStreamReconnectsAndResubscribesAfterTheConnectionDrops() throws Exception {
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		connectBoth("drop", alpha, beta);
		int alphaMark = alpha.states.size();
		int betaMark = beta.states.size();
		this.relay.killAll();
		// clean_start is on: only a new SUBSCRIBE makes these arrive.
		this.paho.awaitDelivered("drop/alpha/in", alpha, WAIT);
		this.paho.awaitDelivered("drop/beta/in/y", beta, WAIT);
		assertThat(alpha.stateNamesSince(alphaMark)).containsSubsequence("DISCONNECTED", "POLL", "CONNECTING",
				"CONNECTED");
		assertThat(beta.stateNamesSince(betaMark)).containsSubsequence("DISCONNECTED", "POLL", "CONNECTING",
				"CONNECTED");
		assertThat(this.relay.openConnections()).isEqualTo(1);
	}

	@Test
	void disconnectMeFromTxUnsubscribesThatStreamAndKeepsTheSharedConnection() throws Exception {
		MqttRecorder alpha = new MqttRecorder().txResult(StreamResult.DISCONNECT_ME);
		MqttRecorder beta = new MqttRecorder();
		SecureStream[] streams = connectBoth("txdm", alpha, beta);
		int betaMark = beta.states.size();
		int accepted = this.relay.accepted();
		streams[0].requestTx();
		alpha.await(StreamState.DISCONNECTED, 1, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> broker.events().contains("UNSUBSCRIBE ss-txdm txdm/alpha/in"));
		this.paho.awaitDelivered("txdm/beta/in/z", beta, WAIT);
		assertThat(alpha.stateNames()).endsWith("CONNECTED", "DISCONNECTED");
		assertThat(beta.stateNamesSince(betaMark)).isEmpty();
		assertThat(this.relay.accepted()).isEqualTo(accepted);
		assertThat(this.relay.openConnections()).isEqualTo(1);
	}

	@Test
	void disconnectMeFromRxDetachesOnlyThatStreamAndTheLastStreamClosesTheConnection() throws Exception {
		MqttRecorder alpha = new MqttRecorder().rxResult(StreamResult.DISCONNECT_ME);
		MqttRecorder beta = new MqttRecorder();
		SecureStream[] streams = connectBoth("rxdm", alpha, beta);
		int betaMark = beta.states.size();
		int accepted = this.relay.accepted();
		this.paho.publish("rxdm/alpha/in", "leave", 1, false);
		alpha.await(StreamState.DISCONNECTED, 1, WAIT);
		this.paho.awaitDelivered("rxdm/beta/in/z", beta, WAIT);
		assertThat(beta.stateNamesSince(betaMark)).isEmpty();
		assertThat(this.relay.accepted()).isEqualTo(accepted);
		assertThat(broker.events()).doesNotContain("DISCONNECT ss-rxdm", "UNSUBSCRIBE ss-rxdm rxdm/alpha/in");
		streams[1].destroy();
		beta.await(StreamState.DESTROYING, 1, WAIT);
		// An orderly DISCONNECT packet (Moquette records it as DISCONNECT, then LOST; a cut only as LOST).
		Awaitility.await().atMost(WAIT).until(() -> broker.events().contains("DISCONNECT ss-rxdm"));
		Awaitility.await().atMost(WAIT).until(() -> this.relay.openConnections() == 0);
	}

	@Test
	void disconnectMeFromConnectedDetachesOnlyThatStream() throws Exception {
		MqttRecorder alpha = new MqttRecorder()
			.onState((stream, state) -> (state == StreamState.CONNECTED) ? StreamResult.DISCONNECT_ME
					: StreamResult.OK);
		MqttRecorder beta = new MqttRecorder();
		SecureStreams shared = start(alphaAndBeta("statedm", this.relay.port()), "ss-statedm");
		shared.create("beta", beta).connect();
		this.paho.awaitDelivered("statedm/beta/in/probe", beta, WAIT);
		int betaMark = beta.states.size();
		int accepted = this.relay.accepted();
		shared.create("alpha", alpha).connect();
		alpha.await(StreamState.DISCONNECTED, 1, WAIT);
		assertThat(alpha.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		this.paho.awaitDelivered("statedm/beta/in/z", beta, WAIT);
		assertThat(beta.stateNamesSince(betaMark)).isEmpty();
		assertThat(this.relay.accepted()).isEqualTo(accepted);
	}

	@Test
	void willIsPublishedWhenTheConnectionIsKilledAndBirthOncePerConnection() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		for (String name : List.of("alpha", "beta")) {
			MqttPolicies.mqtt(fragment, name, this.relay.port())
				.set(StreamTypeKey.MQTT_TOPIC, "lifecycle/" + name)
				.set(StreamTypeKey.MQTT_WILL_TOPIC, "lifecycle/status")
				.set(StreamTypeKey.MQTT_WILL_MESSAGE, "gone")
				.set(StreamTypeKey.MQTT_WILL_QOS, 1)
				.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "lifecycle/status")
				.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "born")
				.set(StreamTypeKey.MQTT_BIRTH_QOS, 1);
		}
		this.paho.subscribe("lifecycle/status", 1);
		SecureStreams streams = start(fragment, "ss-lifecycle");
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		streams.create("alpha", alpha).connect();
		streams.create("beta", beta).connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		this.paho.awaitPayloads("lifecycle/status", 1, WAIT);
		this.relay.refuse(true);
		this.relay.killAll();
		this.paho.awaitPayloads("lifecycle/status", 2, WAIT);
		assertThat(this.paho.payloads("lifecycle/status")).containsExactly("born", "gone");
		this.relay.refuse(false);
		alpha.await(StreamState.CONNECTED, 2, WAIT);
		beta.await(StreamState.CONNECTED, 2, WAIT);
		this.paho.awaitPayloads("lifecycle/status", 3, WAIT);
		assertThat(this.paho.payloads("lifecycle/status")).containsExactly("born", "gone", "born");
		assertThat(this.relay.openConnections()).isEqualTo(1);
	}

}
