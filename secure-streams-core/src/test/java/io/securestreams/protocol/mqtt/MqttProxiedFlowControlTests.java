package io.securestreams.protocol.mqtt;

import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

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
 * Rx flow control of a proxied MQTT subscriber whose client stops reading (docs/proxy.md): with
 * the rx flow marks set, the proxy pauses the broker connection instead of dropping messages and
 * the onward stream, and what it holds for the client stays within {@code proxy_buflen}.
 */
class MqttProxiedFlowControlTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int BUFLEN = 32768;

	private static final int FRAME = SsWire.FRAME_HEADER + 16 + SsWire.MAX_RX_PAYLOAD;

	private static final int MESSAGES = 2000;

	private static final String PAYLOAD = "m".repeat(200);

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

	private static boolean connected(FrameReader.Frame frame) {
		return frame.type() == 0x57 && frame.state() == StreamState.CONNECTED.value();
	}

}
