package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Device-shadow exchanges of {@code aws_iot} streams through an embedded Moquette, with a Paho
 * client playing the AWS shadow service: it sees the stream's update and answers on
 * {@code /accepted} or {@code /rejected}, which only reaches subscribers that exist by then.
 */
class MqttShadowTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final String REPORT = "{\"state\":{\"reported\":{\"on\":true}}}";

	private static final String ANSWER = "{\"state\":{\"reported\":{\"on\":true}},\"version\":2}";

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	/** Starts a context whose shadow exchanges wait {@code timeout} for a response. */
	static SecureStreams start(TestResources resources, PolicyFragment fragment, String clientId, Duration timeout) {
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, clientId);
		SecureStreams streams = resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs));
		((MqttClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.MQTT)).shadowTimeout(timeout);
		return streams;
	}

	/** A streamtype updating the shadow of {@code thing}, which also takes commands (test markers). */
	static StreamTypePolicy.Builder shadow(PolicyFragment fragment, String thing, int port) {
		return MqttPolicies.mqtt(fragment, "shadow", port)
			.set(StreamTypeKey.AWS_IOT, true)
			.set(StreamTypeKey.MQTT_TOPIC, update(thing))
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "things/" + thing + "/commands")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("topic"));
	}

	static String update(String thing) {
		return "$aws/things/" + thing + "/shadow/update";
	}

	private PahoClient service(String thing) throws Exception {
		return this.resources.closing(PahoClient.connect(broker.port(), "service-" + thing, true))
			.subscribe(update(thing), 1);
	}

	private SecureStream connect(SecureStreams streams, MqttRecorder handler, PahoClient service, String thing) {
		SecureStream stream = streams.create("shadow", handler);
		stream.connect();
		service.awaitDelivered("things/" + thing + "/commands", handler, WAIT);
		return stream;
	}

	private static void awaitUnsubscribed(String clientId, String... filters) {
		Awaitility.await().atMost(WAIT).until(() -> {
			List<String> events = broker.events();
			return List.of(filters)
				.stream()
				.allMatch((filter) -> events.contains("UNSUBSCRIBE " + clientId + " " + filter));
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "accepted", "rejected" })
	void theResponseIsDeliveredWithItsTopicAndEndsTheExchange(String outcome) throws Exception {
		String thing = "dev-" + outcome;
		String clientId = "ss-shadow-" + outcome;
		PolicyFragment fragment = MqttPolicies.base();
		shadow(fragment, thing, broker.port());
		PahoClient service = service(thing);
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = connect(start(this.resources, fragment, clientId, MqttShadow.RESPONSE_TIMEOUT), handler,
				service, thing);
		handler.send(stream, REPORT);
		service.awaitPayloads(update(thing), 1, WAIT);
		assertThat(service.payloads(update(thing))).containsExactly(REPORT);
		service.publish(update(thing) + "/" + outcome, ANSWER, 1, false);
		handler.awaitMessages(1, WAIT);
		assertThat(handler.messages).containsExactly(
				new MqttRecorder.Message(ANSWER, StreamFlags.SOM | StreamFlags.EOM, update(thing) + "/" + outcome));
		assertThat(broker.events()).contains("SUBSCRIBE " + clientId + " " + update(thing) + "/accepted",
				"SUBSCRIBE " + clientId + " " + update(thing) + "/rejected");
		awaitUnsubscribed(clientId, update(thing) + "/accepted", update(thing) + "/rejected");
		// After the exchange a response is no longer the stream's; the command after it still is.
		service.publish(update(thing) + "/" + outcome, "late", 1, false);
		service.publish("things/" + thing + "/commands", "after", 1, false);
		handler.awaitMessages(2, WAIT);
		assertThat(handler.payloads()).containsExactly(ANSWER, "after");
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
	}

	@Test
	void withoutAResponseTheExchangeEndsAfterTheTimeout() throws Exception {
		String thing = "dev-silent";
		String clientId = "ss-shadow-silent";
		PolicyFragment fragment = MqttPolicies.base();
		shadow(fragment, thing, broker.port());
		PahoClient service = service(thing);
		MqttRecorder handler = new MqttRecorder();
		try (LogCapture logs = new LogCapture()) {
			SecureStream stream = connect(start(this.resources, fragment, clientId, Duration.ofMillis(300)), handler,
					service, thing);
			handler.send(stream, REPORT);
			service.awaitPayloads(update(thing), 1, WAIT);
			awaitUnsubscribed(clientId, update(thing) + "/accepted", update(thing) + "/rejected");
			assertThat(logs.contains("shadow response timeout")).isTrue();
		}
		service.publish(update(thing) + "/accepted", "too late", 1, false);
		service.publish("things/" + thing + "/commands", "after", 1, false);
		handler.awaitMessages(1, WAIT);
		assertThat(handler.payloads()).containsExactly("after");
	}

	@Test
	void aResponseTopicAnotherStreamSubscribesToStaysSubscribed() throws Exception {
		String thing = "dev-shared";
		String clientId = "ss-shadow-shared";
		PolicyFragment fragment = MqttPolicies.base();
		shadow(fragment, thing, broker.port());
		MqttPolicies.mqtt(fragment, "watcher", broker.port())
			.set(StreamTypeKey.AWS_IOT, true)
			.set(StreamTypeKey.MQTT_SUBSCRIBE, update(thing) + "/accepted")
			.set(StreamTypeKey.MQTT_QOS, 1);
		PahoClient service = service(thing);
		SecureStreams streams = start(this.resources, fragment, clientId, MqttShadow.RESPONSE_TIMEOUT);
		MqttRecorder watcher = new MqttRecorder();
		streams.create("watcher", watcher).connect();
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = connect(streams, handler, service, thing);
		// A probe arriving once the update is out would be taken for the answer, and end the exchange.
		service.awaitDeliveredAndDrained(update(thing) + "/accepted", watcher, WAIT);
		handler.send(stream, REPORT);
		service.awaitPayloads(update(thing), 1, WAIT);
		service.publish(update(thing) + "/accepted", ANSWER, 1, false);
		handler.awaitMessages(1, WAIT);
		awaitUnsubscribed(clientId, update(thing) + "/rejected");
		service.publish(update(thing) + "/accepted", "for the watcher", 1, false);
		service.publish("things/" + thing + "/commands", "after", 1, false);
		handler.awaitMessages(2, WAIT);
		watcher.awaitMessages(2, WAIT);
		assertThat(handler.payloads()).containsExactly(ANSWER, "after");
		assertThat(watcher.payloads()).containsExactly(ANSWER, "for the watcher");
		assertThat(broker.events()).doesNotContain("UNSUBSCRIBE " + clientId + " " + update(thing) + "/accepted");
	}

}
