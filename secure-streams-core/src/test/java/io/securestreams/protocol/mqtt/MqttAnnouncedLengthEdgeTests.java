package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages of announced length ({@code requestTxLen}) at their edges: one written exactly to its
 * length over many {@code onTx} calls that never set EOM is one PUBLISH, and one the handler ends
 * early with EOM is published short, its length forgotten, so the next message sent without a
 * length gets the whole slot in one call.
 */
class MqttAnnouncedLengthEdgeTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void exactLengthWithoutEomAndAnEarlyEomEachMakeOneMessage() {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_QOS, 1);
		List<Integer> capacities = new CopyOnWriteArrayList<>();
		List<String> script = new CopyOnWriteArrayList<>(List.of("ab", "cd", "ef", "gh", "ij", "short|EOM", "next"));
		MqttRecorder handler = new MqttRecorder() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				capacities.add(slot.capacity());
				String part = script.remove(0);
				boolean eom = part.endsWith("|EOM");
				slot.buffer().put(part.replace("|EOM", "").getBytes(StandardCharsets.US_ASCII));
				slot.flags(eom ? StreamFlags.EOM : 0);
				return StreamResult.OK;
			}
		};
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "len-client")));
		SecureStream stream = streams.create("device", handler);
		stream.requestTxLen(10);
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		stream.requestTxLen(100);
		handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, 3, WAIT);
		assertThat(this.broker.received("PUBLISH")).hasSize(3)
			.satisfies((p) -> assertThat(p.get(0)).endsWith("payload=abcdefghij"))
			.satisfies((p) -> assertThat(p.get(1)).endsWith("payload=short"))
			.satisfies((p) -> assertThat(p.get(2)).endsWith("payload=next"));
		assertThat(capacities).containsExactly(10, 8, 6, 4, 2, 100, MqttPublisher.SLOT_CAPACITY);
		assertThat(handler.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

}
