package io.securestreams.protocol.mqtt;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT streams created, used and destroyed many times in one context: the sessions, their
 * packet ids, outbox and timers must come back to where they started once the streams are gone.
 */
class MqttSessionSoakTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	private static Map<?, ?> field(SecureStreams streams, String name) throws ReflectiveOperationException {
		MqttClientProtocol protocol = (MqttClientProtocol) ContextAccess.runtime(streams)
			.clientProtocol(Protocol.MQTT);
		Field field = MqttClientProtocol.class.getDeclaredField(name);
		field.setAccessible(true);
		return (Map<?, ?>) field.get(protocol);
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void createPublishDestroyCyclesLeaveNoSessionsOrTimers(boolean fixedClientId) throws Exception {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down")
			.set(StreamTypeKey.MQTT_QOS, 1)
			.set(StreamTypeKey.MQTT_KEEP_ALIVE, 60);
		SystemBlobs blobs = fixedClientId ? new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "soak")
				: new SystemBlobs();
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs));
		List<String> baseline = ScheduledTasks.of(streams);
		for (int i = 0; i < 300; i++) {
			Semaphore connected = new Semaphore(0);
			Semaphore acked = new Semaphore(0);
			MqttRecorder handler = new MqttRecorder().onState((s, state) -> {
				if (state == StreamState.CONNECTED) {
					connected.release();
				}
				if (state == StreamState.QOS_ACK_REMOTE) {
					acked.release();
				}
				return StreamResult.OK;
			});
			SecureStream stream = streams.create("device", handler);
			stream.connect();
			if (i % 3 != 0) {
				assertThat(connected.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				handler.send(stream, "m" + i);
				assertThat(acked.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			}
			stream.destroy();
			stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
			assertThat(field(streams, "sessions")).isEmpty();
			assertThat(field(streams, "generatedIds")).hasSizeLessThanOrEqualTo(2);
			assertThat(ScheduledTasks.of(streams)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

}
