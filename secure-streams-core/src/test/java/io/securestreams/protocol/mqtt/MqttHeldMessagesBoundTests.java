package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages that arrive for a stream before it is CONNECTED (its SUBACK not yet in) are held for
 * it; a broker that floods meanwhile must not grow the client's memory without bound. Beyond
 * {@link MqttMember#HELD_LIMIT} bytes the client stops reading the connection, so the broker's
 * writes stall.
 */
class MqttHeldMessagesBoundTests {

	private static final int MESSAGE = 64 * 1024;

	// 100 MiB offered. A stalled client takes its 8 MiB limit plus what the kernel buffers: up to
	// about half of tcp_rmem's maximum for its receive buffer (32 MiB on some machines here) and the
	// broker's send buffer. 640 messages (40 MiB) once left too little room above that.
	private static final int FLOOD = 1600;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@Test
	@Timeout(60)
	void aBrokerFloodingBeforeTheSubackIsHeldBackOnceTheLimitIsHeld() throws Exception {
		this.broker.answerSubscribes = false;
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/#");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1)
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "flooded")));
		MqttRecorder handler = new MqttRecorder();
		streams.create("device", handler).connect();
		this.broker.awaitReceived("SUBSCRIBE", 1, Duration.ofSeconds(10));
		String payload = "x".repeat(MESSAGE);
		AtomicInteger written = new AtomicInteger();
		Thread flood = new Thread(() -> {
			try {
				for (int i = 0; i < FLOOD; i++) {
					// Returns once the kernel took the packet: it stalls when the client stops reading.
					this.broker.publish("dev/" + i, payload, 0, 0, false);
					written.incrementAndGet();
				}
			}
			catch (RuntimeException ex) {
				// The connection closed under the flood when the test ended.
			}
		}, "mqtt-flood");
		flood.setDaemon(true);
		flood.start();
		Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
			.until(() -> !flood.isAlive() || stalled(written));
		assertThat(written.get()).as("messages the broker could write").isLessThan(FLOOD / 2);
		assertThat(handler.states).doesNotContain(StreamState.CONNECTED);
	}

	// No progress for a second.
	private static boolean stalled(AtomicInteger written) throws InterruptedException {
		int before = written.get();
		Thread.sleep(1000);
		return before > 0 && written.get() == before;
	}

}
