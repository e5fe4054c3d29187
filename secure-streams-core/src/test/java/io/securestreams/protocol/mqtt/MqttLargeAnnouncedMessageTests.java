package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message of announced length is written into a buffer that grows as the handler writes, in
 * slots of at most 1 MiB (or what is still owed, if less): before, the whole announced length
 * was allocated before the first {@code onTx}, so a length announced and never written (at a
 * proxy, a 7-byte PAYLOAD_LENGTH_HINT from a hostile client) held up to 256 MiB of heap.
 */
class MqttLargeAnnouncedMessageTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int LENGTH = 5 * 1024 * 1024 / 2;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void aMessageAboveASlotIsWrittenOverSeveralCallsAndPublishedWhole() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_QOS, 1);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		List<Integer> capacities = new CopyOnWriteArrayList<>();
		List<Long> owed = new CopyOnWriteArrayList<>();
		MqttRecorder handler = new MqttRecorder() {

			private int written;

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				capacities.add(slot.capacity());
				owed.add(slot.remaining());
				int length = slot.capacity();
				for (int i = 0; i < length; i++) {
					slot.buffer().put((byte) ('a' + (this.written + i) % 26));
				}
				this.written += length;
				return StreamResult.OK;
			}

		};
		SecureStream stream = streams.create("device", handler);
		stream.requestTxLen(LENGTH);
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		StringBuilder expected = new StringBuilder(LENGTH);
		for (int i = 0; i < LENGTH; i++) {
			expected.append((char) ('a' + i % 26));
		}
		assertThat(this.broker.received("PUBLISH")).singleElement()
			.asString()
			.endsWith("payload=" + expected);
		assertThat(capacities).first().isEqualTo(1024 * 1024);
		assertThat(capacities).hasSizeGreaterThanOrEqualTo(2).allSatisfy((capacity) -> assertThat(capacity)
			.isGreaterThan(0));
		assertThat(capacities.stream().mapToLong(Integer::longValue).sum()).isEqualTo(LENGTH);
		assertThat(owed).first().isEqualTo((long) LENGTH);
		this.broker.reply(MqttMessageType.PUBACK, this.broker.publishId(0));
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
	}

}
