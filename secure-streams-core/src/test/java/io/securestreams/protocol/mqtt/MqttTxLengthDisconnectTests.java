package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message of announced length that the application abandons by returning DISCONNECT_ME from
 * an {@code onTx} call after it wrote part of it is discarded; its announced length must go with
 * it, or the next message, after the stream connects again, is stretched to the old length.
 */
class MqttTxLengthDisconnectTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void disconnectMeInTheMiddleOfAnAnnouncedMessageTakesItsLengthWithIt() {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_QOS, 1);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "fake-client")));
		List<Integer> capacities = new CopyOnWriteArrayList<>();
		AtomicBoolean second = new AtomicBoolean();
		AtomicInteger calls = new AtomicInteger();
		MqttRecorder handler = new MqttRecorder() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				if (second.get()) {
					capacities.add(slot.capacity());
					slot.write("next".getBytes(StandardCharsets.US_ASCII));
					return StreamResult.OK;
				}
				// The first 40 bytes of a 100-byte message; in the next call the application gives up.
				if (calls.incrementAndGet() == 1) {
					slot.write(new byte[40]);
					return StreamResult.OK;
				}
				return StreamResult.DISCONNECT_ME;
			}
		};
		SecureStream stream = streams.create("device", handler);
		stream.requestTxLen(100);
		handler.await(StreamState.DISCONNECTED, 1, WAIT);
		second.set(true);
		stream.connect();
		handler.await(StreamState.CONNECTED, 2, WAIT);
		stream.requestTx();
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
		assertThat(this.broker.received("PUBLISH")).singleElement().asString().endsWith(" payload=next");
		assertThat(capacities).containsExactly(64 * 1024);
	}

}
