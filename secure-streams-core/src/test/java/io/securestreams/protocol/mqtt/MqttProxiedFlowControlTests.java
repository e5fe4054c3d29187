package io.securestreams.protocol.mqtt;

import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.ProxyLinkInfo;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
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
 * Rx flow control of a proxied MQTT subscriber (docs/proxy.md): when its client stops reading and
 * the rx flow marks are set, the proxy pauses the broker connection instead of dropping messages
 * and the onward stream, and what it holds for the client stays within {@code proxy_buflen}; when
 * its client reads promptly, a burst passes the default buffer whole.
 */
class MqttProxiedFlowControlTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int BUFLEN = 32768;

	private static final int FRAME = SsWire.FRAME_HEADER + 16 + SsWire.MAX_RX_PAYLOAD;

	private static final int MESSAGES = 2000;

	private static final String PAYLOAD = "m".repeat(200);

	private static final int BURST_MESSAGES = 3000;

	private static final String BURST_PAYLOAD = "b".repeat(2700);

	private static final int BURST = 24;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	@TempDir
	Path temp;

	@Test
	@Timeout(60)
	void aClientThatStopsReadingPausesTheBrokerConnectionAndLosesNoMessage() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "sub", this.broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "t/#")
			.set(StreamTypeKey.PROXY_BUFLEN, BUFLEN)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, BUFLEN / 2)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 4096);
		try (ProxyUnderTest harness = new ProxyUnderTest(fragment.build(), this.temp);
				LogCapture logs = new LogCapture();
				SocketChannel client = harness.connectRaw()) {
			FrameReader.write(client, SsWire.toBytes(new ToProxy.StreamType(1, 1, SsWire.DEFAULT_INITIAL_TX_CREDIT,
					"sub")));
			FrameReader.write(client, SsWire.toBytes(new ToProxy.OnwardConnect()));
			FrameReader reader = new FrameReader(client);
			for (FrameReader.Frame frame = reader.next(); !connected(frame); frame = reader.next()) {
				assertThat(frame).isNotNull();
			}
			// The client reads nothing more while the broker sends 400 KB of small messages.
			try {
				for (int i = 0; i < MESSAGES; i++) {
					this.broker.publish("t/" + i, PAYLOAD, 0, 0, false);
				}
			}
			catch (Exception ex) {
				// The client closed the broker connection: the frames below tell why.
			}
			// The client's socket is full: the broker connection is paused, not the stream dropped.
			Awaitility.await().atMost(WAIT).until(() -> logs.contains("proxy buffer full")
					|| harness.proxy().links().stream().anyMatch(ProxyLinkInfo::onwardRxPaused));
			assertThat(logs.contains("proxy buffer full")).as(logs.messages().toString()).isFalse();
			int received = 0;
			while (received < MESSAGES) {
				FrameReader.Frame frame = reader.next();
				assertThat(frame).as("link open after %d messages", received).isNotNull();
				assertThat(frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value())
					.as("onward stream dropped after %d messages: %s", received, logs.messages()).isFalse();
				if (frame.type() == 0x55) {
					received++;
				}
			}
			assertThat(harness.proxy().links().get(0).peakBufferedBytes()).isLessThanOrEqualTo(BUFLEN + FRAME);
		}
	}

	/**
	 * A broker bursting small messages at a proxied subscriber that reads promptly, with the
	 * default {@code proxy_buflen} and no rx flow marks. The proxy hands each message from the
	 * broker connection's event loop to the link's; a read of many messages outran that hand-over,
	 * which counted against the buffer, and the stream was dropped as "proxy buffer full" (found
	 * with a burst of 3,000 messages from mosquitto_pub, of which 31 arrived). The hand-over now
	 * pauses the broker connection's reading instead.
	 */
	@Test
	@Timeout(90)
	void aBurstReachesAPromptClientWholeThroughTheDefaultBuffer() throws Exception {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "sub", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "burst/#");
		try (ProxyUnderTest harness = new ProxyUnderTest(fragment.build(), this.temp);
				LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			harness.client().create("sub", handler).connect();
			Awaitility.await().atMost(Duration.ofSeconds(10))
				.until(() -> handler.states.contains(StreamState.CONNECTED));
			// Bursts of 24 messages (65 KB, about one read of the broker connection, twice the
			// buffer), each sent once the client has taken the one before, so the client keeps up
			// however slowly the machine runs: what is dropped here is lost to the hand-over.
			for (int i = 0; i < BURST_MESSAGES; i++) {
				this.broker.publish("burst/" + i, BURST_PAYLOAD, 0, 0, false);
				if (i % BURST == BURST - 1) {
					int sent = i + 1;
					Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
						.pollInterval(Duration.ofMillis(1))
						.until(() -> whole(handler) == sent || handler.states.contains(StreamState.DISCONNECTED));
				}
			}
			Awaitility.await().atMost(Duration.ofSeconds(60))
				.until(() -> whole(handler) == BURST_MESSAGES || handler.states.contains(StreamState.DISCONNECTED));
			assertThat(logs.warnings()).noneMatch((line) -> line.contains("proxy buffer full"));
			assertThat(handler.states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED);
			assertThat(whole(handler)).isEqualTo(BURST_MESSAGES);
		}
	}

	// Messages arrive in pieces of at most 1,380 bytes through the proxy; EOM ends each.
	private static long whole(MqttRecorder handler) {
		return handler.messages.stream().filter((m) -> StreamFlags.has(m.flags(), StreamFlags.EOM)).count();
	}

	private static boolean connected(FrameReader.Frame frame) {
		return frame.type() == 0x57 && frame.state() == StreamState.CONNECTED.value();
	}

}
