package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packets of device-shadow exchanges, checked against a scriptable fake broker: the
 * responses are subscribed before the update is published, the update waits for the SUBACK,
 * and a new connection forgets the exchange.
 */
class MqttShadowProtocolTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final String UPDATE = MqttShadowTests.update("dev1");

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	private SecureStream connect(MqttRecorder handler) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttShadowTests.shadow(fragment, "dev1", this.broker.port());
		SecureStream stream = MqttShadowTests
			.start(this.resources, fragment, "fake-shadow", MqttShadow.RESPONSE_TIMEOUT)
			.create("shadow", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		return stream;
	}

	/** The packets after CONNECT and the stream's own SUBSCRIBE, without packet ids. */
	private List<String> exchange() {
		List<String> packets = this.broker.received();
		return packets.subList(2, packets.size()).stream().map((packet) -> packet.replaceAll(" id=\\d+", "")).toList();
	}

	@Test
	void theUpdateIsPublishedOnceBothResponsesAreSubscribed() {
		this.broker.acknowledgePublishes = true;
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = connect(handler);
		this.broker.answerSubscribes = false;
		handler.send(stream, "first", "second");
		this.broker.awaitReceived("SUBSCRIBE " + UPDATE, 1, WAIT);
		Awaitility.await()
			.during(Duration.ofMillis(300))
			.atMost(WAIT)
			.until(() -> this.broker.received("PUBLISH").isEmpty());
		this.broker.subAck(1, 1);
		this.broker.awaitReceived("PUBLISH", 2, WAIT);
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		// The second update finds the responses subscribed already.
		assertThat(exchange()).containsExactly("SUBSCRIBE " + UPDATE + "/accepted " + UPDATE + "/rejected",
				"PUBLISH " + UPDATE + " qos=1 dup=false retain=false payload=first",
				"PUBLISH " + UPDATE + " qos=1 dup=false retain=false payload=second");
		// One response per update: the exchange ends with the second.
		this.broker.publish(UPDATE + "/rejected", "{\"code\":409}", 0, 0, false);
		handler.awaitMessages(1, WAIT);
		assertThat(this.broker.received("UNSUBSCRIBE")).isEmpty();
		this.broker.publish(UPDATE + "/accepted", "{}", 0, 0, false);
		this.broker.awaitReceived("UNSUBSCRIBE", 1, WAIT);
		assertThat(this.broker.received("UNSUBSCRIBE"))
			.containsExactly("UNSUBSCRIBE " + UPDATE + "/accepted " + UPDATE + "/rejected");
		assertThat(handler.payloads()).containsExactly("{\"code\":409}", "{}");
		assertThat(handler.messages.get(0).topic()).isEqualTo(UPDATE + "/rejected");
	}

	@Test
	void anUpdateStillWaitingForItsSubscriptionWhenTheConnectionDropsIsReportedLost() {
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = connect(handler);
		this.broker.answerSubscribes = false;
		handler.send(stream, "never sent");
		this.broker.awaitReceived("SUBSCRIBE " + UPDATE, 1, WAIT);
		this.broker.answerSubscribes = true;
		this.broker.dropAll();
		handler.await(StreamState.QOS_NACK_REMOTE, 1, WAIT);
		assertThat(handler.stateNamesSince(0)).containsSubsequence("CONNECTED", "DISCONNECTED", "CONNECTED",
				"QOS_NACK_REMOTE");
		assertThat(this.broker.received("PUBLISH")).isEmpty();
	}

	@Test
	void aNewConnectionForgetsTheExchange() {
		this.broker.acknowledgePublishes = true;
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = connect(handler);
		handler.send(stream, "update");
		this.broker.awaitReceived("PUBLISH " + UPDATE, 1, WAIT);
		this.broker.dropAll();
		handler.await(StreamState.CONNECTED, 2, WAIT);
		this.broker.awaitReceived("SUBSCRIBE things/dev1/commands", 2, WAIT);
		this.broker.publish(UPDATE + "/accepted", "for the old connection", 0, 0, false);
		this.broker.publish("things/dev1/commands", "after", 0, 0, false);
		handler.awaitMessages(1, WAIT);
		assertThat(handler.payloads()).containsExactly("after");
		assertThat(this.broker.received("SUBSCRIBE " + UPDATE)).hasSize(1);
		assertThat(this.broker.received("UNSUBSCRIBE")).isEmpty();
	}

}
