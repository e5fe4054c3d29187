package io.securestreams.protocol.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TcpRelay;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MQTT binding against Debian's mosquitto, started by each test on free loopback ports. Run
 * with {@code mvn -pl secure-streams-core -Pinterop test}; a missing mosquitto fails.
 */
@Tag("interop")
class MosquittoInteropTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@TempDir
	Path dir;

	private final TransitionGuard guard = new TransitionGuard();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private MosquittoBroker broker;

	@BeforeEach
	void startBroker() throws Exception {
		this.broker = MosquittoBroker.start(Files.createDirectories(this.dir.resolve("mosquitto")));
	}

	@AfterEach
	void stop() throws Exception {
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
		this.broker.close();
		this.guard.assertNoViolations();
	}

	private <T extends AutoCloseable> T closing(T closeable) {
		this.closeables.add(closeable);
		return closeable;
	}

	private SecureStreams start(PolicyFragment fragment, SystemBlobs blobs) {
		return closing(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs)
			.listener(this.guard).build());
	}

	private static SystemBlobs clientId(String id) {
		return new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, id);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void publishesAndReceivesAtEachQos(int qos) throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "interop/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "interop/down/+")
			.set(StreamTypeKey.MQTT_QOS, qos)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("topic"));
		PahoClient paho = closing(PahoClient.connect(this.broker.port(), "paho-interop", true))
			.subscribe("interop/up", qos);
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = start(fragment, clientId("ss-interop")).create("device", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		handler.send(stream, "a", "b", "c");
		paho.awaitPayloads("interop/up", 3, WAIT);
		assertThat(paho.payloads("interop/up")).containsExactly("a", "b", "c");
		paho.publish("interop/down/x", "to the stream", qos, false);
		handler.awaitMessages(1, WAIT);
		assertThat(handler.messages).containsExactly(
				new MqttRecorder.Message("to the stream", StreamFlags.SOM | StreamFlags.EOM, "interop/down/x"));
		if (qos > 0) {
			handler.await(StreamState.QOS_ACK_REMOTE, 3, WAIT);
		}
		assertThat(handler.count(StreamState.QOS_ACK_REMOTE)).isEqualTo((qos > 0) ? 3 : 0);
	}

	@Test
	void retainedMessagesReachLaterSubscribers() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "status", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "interop/retained/out")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.MQTT_RETAIN, true);
		MqttPolicies.mqtt(fragment, "late", this.broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "interop/retained/in")
			.set(StreamTypeKey.MQTT_QOS, 1);
		try (PahoClient publisher = PahoClient.connect(this.broker.port(), "paho-retainer", true)) {
			publisher.publish("interop/retained/in", "kept for you", 1, true);
		}
		SecureStreams streams = start(fragment, clientId("ss-retain"));
		MqttRecorder status = new MqttRecorder();
		SecureStream statusStream = streams.create("status", status);
		statusStream.connect();
		status.await(StreamState.CONNECTED, 1, WAIT);
		status.send(statusStream, "online");
		status.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		PahoClient late = closing(PahoClient.connect(this.broker.port(), "paho-late", true))
			.subscribe("interop/retained/out", 1);
		late.awaitPayloads("interop/retained/out", 1, WAIT);
		assertThat(late.received()).singleElement().satisfies((r) -> assertThat(r.retained()).isTrue());
		MqttRecorder lateStream = new MqttRecorder();
		streams.create("late", lateStream).connect();
		lateStream.awaitMessages(1, WAIT);
		assertThat(lateStream.payloads()).containsExactly("kept for you");
	}

	@Test
	void willOnAKilledConnectionAndBirthOnEachConnection() throws Exception {
		TcpRelay relay = closing(new TcpRelay(this.broker.port()));
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", relay.port())
			.set(StreamTypeKey.MQTT_WILL_TOPIC, "interop/status")
			.set(StreamTypeKey.MQTT_WILL_MESSAGE, "offline")
			.set(StreamTypeKey.MQTT_WILL_QOS, 1)
			.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "interop/status")
			.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "online")
			.set(StreamTypeKey.MQTT_BIRTH_QOS, 1);
		PahoClient paho = closing(PahoClient.connect(this.broker.port(), "paho-status", true))
			.subscribe("interop/status", 1);
		MqttRecorder handler = new MqttRecorder();
		start(fragment, clientId("ss-status")).create("device", handler).connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		paho.awaitPayloads("interop/status", 1, WAIT);
		relay.refuse(true);
		relay.killAll();
		paho.awaitPayloads("interop/status", 2, WAIT);
		relay.refuse(false);
		handler.await(StreamState.CONNECTED, 2, WAIT);
		paho.awaitPayloads("interop/status", 3, WAIT);
		assertThat(paho.payloads("interop/status")).containsExactly("online", "offline", "online");
	}

	@Test
	void twoStreamtypesShareOneConnection() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		for (String name : List.of("alpha", "beta")) {
			MqttPolicies.mqtt(fragment, name, this.broker.port())
				.set(StreamTypeKey.MQTT_TOPIC, "interop/" + name + "/out")
				.set(StreamTypeKey.MQTT_SUBSCRIBE, "interop/" + name + "/in")
				.set(StreamTypeKey.MQTT_QOS, 1);
		}
		PahoClient paho = closing(PahoClient.connect(this.broker.port(), "paho-share", true));
		SecureStreams streams = start(fragment, clientId("ss-share"));
		MqttRecorder alpha = new MqttRecorder();
		MqttRecorder beta = new MqttRecorder();
		streams.create("alpha", alpha).connect();
		streams.create("beta", beta).connect();
		alpha.await(StreamState.CONNECTED, 1, WAIT);
		beta.await(StreamState.CONNECTED, 1, WAIT);
		paho.publish("interop/alpha/in", "for alpha", 1, false);
		paho.publish("interop/beta/in", "for beta", 1, false);
		alpha.awaitMessages(1, WAIT);
		beta.awaitMessages(1, WAIT);
		assertThat(alpha.payloads()).containsExactly("for alpha");
		assertThat(beta.payloads()).containsExactly("for beta");
		assertThat(this.broker.connectionsOf("ss-share")).isEqualTo(1);
	}

	@Test
	void tlsWithThePolicyTrustStoreAndAClientCertificate() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "secure", this.broker.tlsPort())
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.CLIENT_CERT, 0)
			.set(StreamTypeKey.MQTT_TOPIC, "interop/tls")
			.set(StreamTypeKey.MQTT_QOS, 1);
		MqttPolicies.mqtt(fragment, "anonymous", this.broker.tlsPort())
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
			.set(StreamTypeKey.RETRY, "once");
		PahoClient paho = closing(PahoClient.connect(this.broker.port(), "paho-tls", true)).subscribe("interop/tls", 1);
		SecureStreams streams = start(fragment, MqttTlsTests.clientCertificate("ss-tls"));
		MqttRecorder secure = new MqttRecorder();
		SecureStream stream = streams.create("secure", secure);
		stream.connect();
		secure.await(StreamState.CONNECTED, 1, WAIT);
		secure.send(stream, "over tls");
		paho.awaitPayloads("interop/tls", 1, WAIT);
		secure.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		MqttRecorder anonymous = new MqttRecorder();
		streams.create("anonymous", anonymous).connect();
		anonymous.await(StreamState.ALL_RETRIES_FAILED, 1, WAIT);
		assertThat(anonymous.stateNames()).doesNotContain("CONNECTED");
	}

	@Test
	void brokerRestartWithAThousandQos1MessagesInFlight() throws Exception {
		int messages = 1000;
		TcpRelay relay = closing(new TcpRelay(this.broker.port()));
		PahoClient subscriber = closing(PahoClient.connect(this.broker.port(), "paho-restart", false))
			.subscribe("interop/restart", 1);
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "burst", relay.port())
			.set(StreamTypeKey.MQTT_TOPIC, "interop/restart")
			.set(StreamTypeKey.MQTT_QOS, 1);
		MqttRecorder publisher = new MqttRecorder();
		SecureStream stream = start(fragment, clientId("ss-restart")).create("burst", publisher);
		stream.connect();
		publisher.await(StreamState.CONNECTED, 1, WAIT);
		relay.holdReplies(true);
		publisher.send(stream, IntStream.range(0, messages).mapToObj((i) -> "m-" + i).toArray(String[]::new));
		subscriber.awaitPayloads("interop/restart", messages / 2, WAIT);
		assertThat(publisher.count(StreamState.QOS_ACK_REMOTE)).as("acknowledged before the restart").isZero();
		int renewedBefore = subscriber.resubscriptions();
		relay.refuse(true);
		this.broker.restart();
		relay.killAll();
		relay.holdReplies(false);
		Awaitility.await().atMost(WAIT).until(() -> subscriber.resubscriptions() > renewedBefore);
		relay.refuse(false);
		Awaitility.await().atMost(WAIT).until(() -> publisher.count(StreamState.QOS_ACK_REMOTE)
				+ publisher.count(StreamState.QOS_NACK_REMOTE) >= messages);
		Awaitility.await().atMost(WAIT)
			.until(() -> new HashSet<>(subscriber.payloads("interop/restart")).size() == messages);
		Set<String> expected = new HashSet<>();
		IntStream.range(0, messages).forEach((i) -> expected.add("m-" + i));
		assertThat(new HashSet<>(subscriber.payloads("interop/restart"))).isEqualTo(expected);
		assertThat(publisher.count(StreamState.QOS_ACK_REMOTE) + publisher.count(StreamState.QOS_NACK_REMOTE))
			.isEqualTo(messages);
		assertThat(publisher.count(StreamState.QOS_ACK_REMOTE)).isEqualTo(messages);
		assertThat(this.broker.connectionsOf("ss-restart")).isEqualTo(2);
		// mosquitto saved the session on SIGTERM, so the messages came again with DUP in that session.
		assertThat(this.broker.log()).contains("Received PUBLISH from ss-restart (d1, q1");
	}

}
