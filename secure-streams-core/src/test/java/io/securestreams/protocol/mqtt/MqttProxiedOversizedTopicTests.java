package io.securestreams.protocol.mqtt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.RecordingHandler;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker may send a topic of up to 65535 bytes, but the proxy passes the topic to its client in
 * a METADATA frame, whose body (name length, name, value) is at most 65535 bytes. One that does
 * not fit hangs up the link with a line naming it, as libwebsockets' proxy does ("rxmdata too
 * big"): before, the frame failed to encode without a word and the message that followed reached
 * the client under the topic of the message before it.
 */
class MqttProxiedOversizedTopicTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path temp;

	@Test
	void aTopicTooLongForAMetadataFrameHangsUpTheLinkInsteadOfReusingTheLastTopic() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			PolicyFragment fragment = MqttPolicies.base();
			MqttPolicies.mqtt(fragment, "device", peer.port())
				.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
				.set(StreamTypeKey.MQTT_SUBSCRIBE, "#")
				.set(StreamTypeKey.METADATA, MqttPolicies.metadata("topic"));
			try (ProxyUnderTest harness = new ProxyUnderTest(fragment.build(), this.temp)) {
				List<String> received = new CopyOnWriteArrayList<>();
				RecordingHandler handler = new RecordingHandler() {

					@Override
					public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
						String text = StandardCharsets.UTF_8.decode(payload.duplicate()).toString();
						received.add(stream.metadata("topic") + " " + text);
						return super.onRx(stream, payload, flags);
					}

				};
				harness.client().create("device", handler).connect();
				RawMqttPeer.Connection connection = peer.accept(WAIT);
				connection.readType(1, WAIT);
				connection.write(RawMqttPeer.connAck(false, 0));
				byte[] subscribe = connection.readType(8, WAIT);
				connection.write(new byte[] { (byte) 0x90, 3, subscribe[1], subscribe[2], 0 });
				handler.await(StreamState.CONNECTED, WAIT);
				connection.write(RawMqttPeer.publish("a".getBytes(StandardCharsets.UTF_8), 0, 0, "one"));
				// Delivered before the hang-up below, which would otherwise discard it with the link.
				Awaitility.await().atMost(WAIT).until(() -> received.contains("a one"));
				// 1 + 5 ("topic") + 65530 bytes: 6 more than a frame body holds.
				byte[] longTopic = "t".repeat(65530).getBytes(StandardCharsets.UTF_8);
				connection.write(RawMqttPeer.publish(longTopic, 0, 0, "two"));
				assertThat(logs.await("hanging up", "metadata 'topic'", "65536")).contains("does not fit");
				handler.await(StreamState.DISCONNECTED, WAIT);
				assertThat(received).containsExactly("a one");
			}
		}
	}

}
