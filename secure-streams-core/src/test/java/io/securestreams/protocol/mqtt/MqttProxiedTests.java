package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.SspcRelay;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT streams directly and through our Java proxy, against an embedded Moquette broker checked
 * with an independent Paho client. Through the proxy each onward MQTT stream lives on the event
 * loop of the shared broker connection, not on its link's, and the state sequences are the same
 * as in direct mode: CONNECTING, CONNECTED, then one QOS_ACK_REMOTE per QoS 1 message. The one
 * difference is the proxied client's: a received message is delivered in pieces of at most 1380
 * bytes (SOM on the first, EOM on the last), where a direct MQTT stream gets it in one call.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class MqttProxiedTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private StreamsUnderTest start(PolicyFragment fragment, String clientId) {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId);
		return this.resources.start(this.mode, fragment.build(), (b) -> b.eventLoopThreads(2).systemBlobs(blobs));
	}

	private PahoClient paho(String clientId) throws Exception {
		return this.resources.closing(PahoClient.connect(broker.port(), clientId, true));
	}

	@Test
	void publishesAndReceivesWithQos1AcknowledgementsReportedToTheClient() throws Exception {
		String prefix = "proxied/" + this.mode;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, prefix + "/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, prefix + "/down/#")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("topic"));
		PahoClient paho = paho("paho-proxied-" + this.mode).subscribe(prefix + "/up", 1);
		StreamsUnderTest streams = start(fragment, "ss-proxied-" + this.mode);
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.streams().create("device", handler);
		stream.connect();
		paho.awaitDelivered(prefix + "/down/probe", handler, WAIT);
		handler.send(stream, "one", "two", "three");
		paho.awaitPayloads(prefix + "/up", 3, WAIT);
		assertThat(paho.payloads(prefix + "/up")).containsExactly("one", "two", "three");
		assertThat(paho.received()).allSatisfy((r) -> assertThat(r.qos()).isEqualTo(1));
		handler.await(StreamState.QOS_ACK_REMOTE, 3, WAIT);
		paho.publish(prefix + "/down/a", "hello a", 1, false);
		paho.publish(prefix + "/down/b/c", "hello bc", 1, false);
		handler.awaitMessages(2, WAIT);
		// Proxied, the topic arrives as a METADATA frame ahead of each message.
		assertThat(handler.messages).containsExactly(
				new MqttRecorder.Message("hello a", StreamFlags.SOM | StreamFlags.EOM, prefix + "/down/a"),
				new MqttRecorder.Message("hello bc", StreamFlags.SOM | StreamFlags.EOM, prefix + "/down/b/c"));
		assertThat(settled(handler.stateNames())).containsExactly("CREATING", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "QOS_ACK_REMOTE", "QOS_ACK_REMOTE");
		stream.destroy();
		handler.await(StreamState.DESTROYING, 1, WAIT);
		assertThat(handler.stateNames()).endsWith("QOS_ACK_REMOTE", "DISCONNECTED", "DESTROYING");
	}

	@Test
	void streamsOfSeveralLinksShareTheBrokerConnectionAndKeepMessagesWhole() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		String prefix = "shared/" + this.mode;
		MqttPolicies.mqtt(fragment, "pub", broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, prefix + "/data")
			.set(StreamTypeKey.MQTT_QOS, 1);
		MqttPolicies.mqtt(fragment, "sub", broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, prefix + "/#")
			.set(StreamTypeKey.MQTT_QOS, 1);
		StreamsUnderTest streams = start(fragment, "ss-shared-" + this.mode);
		List<RecordingHandler> subscribers = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			RecordingHandler subscriber = new RecordingHandler();
			streams.streams().create("sub", subscriber).connect();
			subscribers.add(subscriber);
		}
		for (RecordingHandler subscriber : subscribers) {
			subscriber.await(StreamState.CONNECTED, WAIT);
		}
		// 10,000 bytes announced with requestTxLen: through the proxy three TX_PAYLOAD frames and a
		// PAYLOAD_LENGTH_HINT, published as one message.
		byte[] body = new byte[10_000];
		new Random(5).nextBytes(body);
		RecordingHandler publisher = new RecordingHandler().send(body, 4000);
		SecureStream pub = streams.streams().create("pub", publisher);
		pub.requestTxLen(body.length);
		publisher.await(StreamState.QOS_ACK_REMOTE, WAIT);
		for (RecordingHandler subscriber : subscribers) {
			Awaitility.await().atMost(WAIT).until(() -> subscriber.received().length == body.length);
			assertThat(subscriber.received()).isEqualTo(body);
			if (this.mode == Mode.PROXIED) {
				// The proxied client delivers received payload in pieces of at most 1380 bytes.
				assertThat(subscriber.rxFlags).hasSize(8);
				assertThat(subscriber.rxFlags).first().isEqualTo(StreamFlags.SOM);
				assertThat(subscriber.rxFlags).last().isEqualTo(StreamFlags.EOM);
				assertThat(subscriber.rxFlags.subList(1, 7)).containsOnly(0);
			}
			else {
				assertThat(subscriber.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
			}
			// Still the first connection: a second one with the same client id would have replaced it.
			assertThat(settled(subscriber.stateNames())).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		}
		// Proxied, requestTxLen is a PAYLOAD_LENGTH_HINT, which asks for POLL at the proxy.
		assertThat(publisher.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
		if (this.mode == Mode.PROXIED) {
			SspcRelay relay = streams.relay();
			assertThat(relay.links()).hasSize(4);
			// Received as one 10,000-byte message, sent on as RX_PAYLOAD frames of at most 1380 bytes.
			assertThat(relay.links().get(0).toClient.stream().filter((f) -> f.type() == 0x55).count())
				.isEqualTo(8);
		}
	}

	@Test
	void aReceivedMessageLargerThanTheProxyBufferDisconnectsTheOnwardStream() throws Exception {
		// Direct mode has no proxy buffer to overflow; the direct variant of this class covers the rest.
		Assumptions.assumeTrue(this.mode == Mode.PROXIED, "only a proxy has a proxy_buflen to overflow");
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "small", broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "small/#")
			.set(StreamTypeKey.MQTT_QOS, 0)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.PROXY_BUFLEN, 4096L);
		PahoClient paho = paho("paho-small");
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			StreamsUnderTest streams = start(fragment, "ss-small");
			// Two links, accepted on the proxy's two loops in turn: the broker connection's loop is the
			// link's loop for one of them and another loop for the other.
			List<RecordingHandler> handlers = List.of(new RecordingHandler(), new RecordingHandler());
			for (RecordingHandler handler : handlers) {
				streams.streams().create("small", handler).connect();
				handler.await(StreamState.CONNECTED, WAIT);
			}
			Awaitility.await().atMost(WAIT).until(() -> broker.count("SUBSCRIBE ss-small small/#") >= 2);
			paho.publish("small/fits", "x".repeat(1000), 0, false);
			for (RecordingHandler handler : handlers) {
				Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 1000);
			}
			paho.publish("small/big", "y".repeat(5000), 0, false);
			for (RecordingHandler handler : handlers) {
				handler.await(StreamState.DISCONNECTED, WAIT);
				assertThat(handler.received()).hasSize(1000);
				assertThat(settled(handler.stateNames())).containsExactly("CREATING", "CONNECTING", "CONNECTED",
						"DISCONNECTED");
			}
			Awaitility.await().atMost(WAIT).until(() -> logs.messages().stream()
				.filter((m) -> m.contains("proxy buffer full") && m.contains("disconnecting the onward stream"))
				.count() == 2);
		}
	}

	/**
	 * Returns the state names without the retries of a first connection that Moquette 0.17
	 * dropped: it marks a connection usable only once its CONNACK was written, so a SUBSCRIBE
	 * sent as soon as the CONNACK arrived can find it "already closed" (the broker logs that),
	 * and the stream reports UNREACHABLE, POLL and CONNECTING again. That is the broker's race,
	 * in both modes, not a difference between them.
	 */
	private static List<String> settled(List<String> names) {
		List<String> settled = new ArrayList<>(names);
		for (int i = 1; i + 2 < settled.size(); i++) {
			if (settled.get(i - 1).equals("CONNECTING") && settled.subList(i, i + 3).equals(
					List.of("UNREACHABLE", "POLL", "CONNECTING"))) {
				settled.subList(i, i + 3).clear();
				i--;
			}
		}
		return settled;
	}

}
