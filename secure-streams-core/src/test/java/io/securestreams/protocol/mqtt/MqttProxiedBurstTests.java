package io.securestreams.protocol.mqtt;

import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker bursting small messages at a proxied subscriber that reads promptly, with the default
 * {@code proxy_buflen} and no rx flow marks. The proxy hands each message from the broker
 * connection's event loop to the link's; a read of many messages outran that hand-over, which
 * counted against the buffer, and the stream was dropped as "proxy buffer full" (found by a
 * burst of 3,000 messages from mosquitto_pub, of which 31 arrived). The hand-over now pauses the
 * broker connection's reading instead.
 */
class MqttProxiedBurstTests {

	private static final int MESSAGES = 3000;

	private static final String PAYLOAD = "b".repeat(2700);

	private static final int BURST = 24;

	// Messages arrive in pieces of at most 1,380 bytes through the proxy; EOM ends each.
	private static long received(MqttRecorder handler) {
		return handler.messages.stream().filter((m) -> StreamFlags.has(m.flags(), StreamFlags.EOM)).count();
	}

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@TempDir
	Path temp;

	@Test
	@Timeout(90)
	void aBurstReachesAPromptClientWholeThroughTheDefaultBuffer() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "sub", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "burst/#");
		try (ProxyUnderTest harness = new ProxyUnderTest(fragment.build(), this.temp); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			harness.client().create("sub", handler).connect();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.states.contains(StreamState.CONNECTED));
			// Bursts of 24 messages (65 KB, about one read of the broker connection) at a pace the
			// client keeps up with: what is dropped here is lost to the hand-over, not to the client.
			for (int i = 0; i < MESSAGES; i++) {
				this.broker.publish("burst/" + i, PAYLOAD, 0, 0, false);
				if (i % BURST == BURST - 1) {
					Thread.sleep(10);
				}
			}
			Awaitility.await().atMost(Duration.ofSeconds(60))
				.until(() -> received(handler) == MESSAGES || handler.states.contains(StreamState.DISCONNECTED));
			assertThat(logs.warnings()).noneMatch((line) -> line.contains("proxy buffer full"));
			assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED);
			assertThat(received(handler)).isEqualTo(MESSAGES);
		}
	}

}
