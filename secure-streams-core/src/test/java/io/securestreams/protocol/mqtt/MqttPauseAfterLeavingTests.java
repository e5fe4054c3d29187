package io.securestreams.protocol.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.OnwardStream;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two streams share one broker connection; one of them leaves it, and before its stream has heard
 * that, the application pauses its reception: the pause must not hold the connection for the
 * stream that stays.
 */
class MqttPauseAfterLeavingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	void pausingAStreamThatJustLeftTheConnectionDoesNotStallTheOthers() {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		// Leaves the connection on its first message (DISCONNECT_ME from onRx).
		MqttRecorder leaving = new MqttRecorder().rxResult(StreamResult.DISCONNECT_ME);
		SecureStream left = streams.create("device", leaving);
		AtomicReference<SecureStream> leftRef = new AtomicReference<>(left);
		List<String> received = new CopyOnWriteArrayList<>();
		MqttRecorder staying = new MqttRecorder() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				received.add(StandardCharsets.UTF_8.decode(payload).toString());
				// A proxy's flow control pauses the other stream (its link is full), on the loop they share.
				((OnwardStream) leftRef.get()).setRxPaused(true);
				return StreamResult.OK;
			}
		};
		SecureStream stays = streams.create("device", staying);
		left.connect();
		leaving.await(StreamState.CONNECTED, 1, WAIT);
		stays.connect();
		staying.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.publish("dev/down", "one", 0, 0, false);
		Awaitility.await().atMost(WAIT).until(() -> received.contains("one"));
		this.broker.publish("dev/down", "two", 0, 0, false);
		Awaitility.await().atMost(WAIT).until(() -> received.contains("two"));
	}

}
