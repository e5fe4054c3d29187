package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker that takes the SUBSCRIBE of a device-shadow exchange's response topics and never
 * answers it must not hold the stream's messages for as long as the connection lives: after the
 * SUBACK wait the update is published anyway, as when the broker refuses the subscription.
 */
class MqttShadowSubAckTimeoutTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final String UPDATE = MqttShadowTests.update("dev1");

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void anUnansweredResponseSubscriptionDoesNotHoldTheUpdateForEver() throws Exception {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		MqttShadowTests.shadow(fragment, "dev1", this.broker.port());
		SecureStreams streams = MqttShadowTests.start(this.resources, fragment, "fake-shadow",
				MqttShadow.RESPONSE_TIMEOUT);
		((MqttClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.MQTT))
			.subscribeTimeout(Duration.ofMillis(300));
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create("shadow", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.answerSubscribes = false;
		try (LogCapture logs = new LogCapture()) {
			handler.send(stream, "update", "next");
			this.broker.awaitReceived("PUBLISH " + UPDATE, 2, WAIT);
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(logs.warnings()).anyMatch((line) -> line.contains("no SUBACK"));
		}
		assertThat(this.broker.received("SUBSCRIBE " + UPDATE)).hasSize(1);
		assertThat(handler.stateNamesSince(0)).doesNotContain("DISCONNECTED", "QOS_NACK_REMOTE");
	}

}
