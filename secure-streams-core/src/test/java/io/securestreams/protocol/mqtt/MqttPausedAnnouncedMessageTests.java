package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message of announced length that the handler paused after part of it (an {@code onTx} call
 * that wrote nothing, or returned TX_DONT_SEND) waits for the stream's next {@code requestTx}, as
 * mqtt.md says: the connection turning writable again, after another stream on it sent a large
 * message, must not call the paused stream's {@code onTx} by itself.
 */
class MqttPausedAnnouncedMessageTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final int LARGE = 200_000;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@ParameterizedTest
	@EnumSource(value = StreamResult.class, names = { "OK", "TX_DONT_SEND" })
	void pausedMessageWaitsForRequestTxWhenTheConnectionTurnsWritable(StreamResult pause) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port()).set(StreamTypeKey.MQTT_TOPIC, "dev/up");
		AtomicInteger pausedCalls = new AtomicInteger();
		MqttRecorder paused = new MqttRecorder() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				// Part of the message, then a call that pauses it; the third completes it.
				int call = pausedCalls.incrementAndGet();
				if (call == 1) {
					slot.write("abcd".getBytes(StandardCharsets.US_ASCII));
				}
				if (call == 1) {
					return StreamResult.OK;
				}
				if (call == 2) {
					return pause;
				}
				slot.write("efghij".getBytes(StandardCharsets.US_ASCII));
				return StreamResult.OK;
			}
		};
		MqttRecorder bulk = new MqttRecorder() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				if (slot.capacity() == LARGE) {
					byte[] large = new byte[LARGE];
					Arrays.fill(large, (byte) 'x');
					slot.write(large);
					return StreamResult.OK;
				}
				return super.onTx(stream, slot);
			}
		};
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "paused-client")));
		SecureStream pausedStream = streams.create("device", paused);
		SecureStream bulkStream = streams.create("device", bulk);
		pausedStream.requestTxLen(10);
		bulkStream.connect();
		paused.await(StreamState.CONNECTED, 1, WAIT);
		bulk.await(StreamState.CONNECTED, 1, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> pausedCalls.get() >= 2);
		// More than the channel's high water mark in one write: it turns unwritable, then writable.
		bulkStream.requestTxLen(LARGE);
		this.broker.awaitReceived("PUBLISH dev/up qos=0 id=-1 dup=false retain=false payload=xxxx", 1, WAIT);
		// The marker goes through the event loop after the writability change was handled.
		bulk.send(bulkStream, "marker");
		this.broker.awaitReceived("PUBLISH dev/up qos=0 id=-1 dup=false retain=false payload=marker", 1, WAIT);
		assertThat(pausedCalls).hasValue(2);
		pausedStream.requestTx();
		this.broker.awaitReceived("PUBLISH dev/up qos=0 id=-1 dup=false retain=false payload=abcdefghij", 1, WAIT);
		assertThat(pausedCalls).hasValue(3);
	}

}
