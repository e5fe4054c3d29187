package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several device-shadow messages of one stream in a row: docs/mqtt.md says another message to
 * the same shadow topic while the responses are subscribed is published at once and waits for
 * its response afresh, so every message's response must reach the stream.
 */
class MqttShadowSequenceTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	static final MoquetteExtension broker = new MoquetteExtension(false);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void twoUpdatesInARowEachGetTheirResponse() throws Exception {
		String thing = "dev-twice";
		String update = MqttShadowTests.update(thing);
		PolicyFragment fragment = MqttPolicies.base();
		MqttShadowTests.shadow(fragment, thing, broker.port());
		PahoClient service = this.resources.closing(PahoClient.connect(broker.port(), "service-" + thing, true))
			.subscribe(update, 1);
		SecureStreams streams = MqttShadowTests.start(this.resources, fragment, "ss-shadow-twice",
				MqttShadow.RESPONSE_TIMEOUT);
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create("shadow", handler);
		stream.connect();
		service.awaitDelivered("things/" + thing + "/commands", handler, WAIT);
		handler.send(stream, "{\"n\":1}", "{\"n\":2}");
		service.awaitPayloads(update, 2, WAIT);
		// The shadow service answers each update in turn.
		service.publish(update + "/accepted", "answer 1", 1, false);
		service.publish(update + "/accepted", "answer 2", 1, false);
		handler.awaitMessages(2, WAIT);
		assertThat(handler.payloads()).containsExactly("answer 1", "answer 2");
	}

}
