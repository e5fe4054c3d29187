package io.securestreams.protocol.mqtt;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT 3.1.1 gives the CONNECT's client id, user name, password and will message a two-byte
 * length. A longer value (from the system blobs, or a will message after metadata expansion)
 * fails the attempt with a line naming it, before anything is sent: before, the length went out
 * cut to its low 16 bits ahead of every byte of the value, a CONNECT that a broker reads as
 * something else.
 */
class MqttOversizedConnectFieldsTests {

	private static final String TOO_LONG = "c".repeat(65536);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void clientIdLongerThan128BytesIsRefusedBeforeConnecting() throws Exception {
		// libwebsockets' limit (LWS_MQTT_MAX_CIDLEN); two-byte UTF-8 characters count twice.
		attemptFails(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "c".repeat(127) + "\u00e9"),
				(streamType) -> {
				}, "MQTT_CLIENT_ID is 129 bytes", "at most 128 bytes");
	}

	@Test
	void clientIdOf128BytesConnects() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer()) {
			PolicyFragment fragment = MqttPolicies.base();
			MqttPolicies.mqtt(fragment, "device", peer.port()).set(StreamTypeKey.MQTT_TOPIC, "dev/up");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "c".repeat(128))));
			streams.create("device", new RecordingHandler()).connect();
			byte[] connect = peer.accept(Duration.ofSeconds(10)).readType(1, Duration.ofSeconds(10));
			assertThat(new String(connect, java.nio.charset.StandardCharsets.ISO_8859_1))
				.contains("\u0000\u0080" + "c".repeat(128));
		}
	}

	@Test
	void userNameLongerThan65535BytesIsRefusedBeforeConnecting() throws Exception {
		attemptFails(new SystemBlobs().set(SystemBlobs.Type.MQTT_USERNAME, TOO_LONG), (streamType) -> {
		}, "MQTT_USERNAME is 65536 bytes", "at most 65535");
	}

	@Test
	void passwordLongerThan65535BytesIsRefusedBeforeConnecting() throws Exception {
		attemptFails(new SystemBlobs().set(SystemBlobs.Type.MQTT_USERNAME, "user")
			.set(SystemBlobs.Type.MQTT_PASSWORD, TOO_LONG), (streamType) -> {
			}, "MQTT_PASSWORD is 65536 bytes", "at most 65535");
	}

	@Test
	void willMessageLongerThan65535BytesIsRefusedBeforeConnecting() throws Exception {
		attemptFails(new SystemBlobs(), (streamType) -> streamType.set(StreamTypeKey.MQTT_WILL_TOPIC, "dev/gone")
			.set(StreamTypeKey.MQTT_WILL_MESSAGE, TOO_LONG), "mqtt_will_message is 65536 bytes", "at most 65535");
	}

	private void attemptFails(SystemBlobs blobs, java.util.function.Consumer<StreamTypePolicy.Builder> keys,
			String reason, String limit) throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); CapturedLogs logs = new CapturedLogs("io.securestreams")) {
			PolicyFragment fragment = MqttPolicies.base();
			StreamTypePolicy.Builder device = MqttPolicies.mqtt(fragment, "device", peer.port())
				.set(StreamTypeKey.MQTT_TOPIC, "dev/up");
			keys.accept(device);
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).systemBlobs(blobs));
			RecordingHandler handler = new RecordingHandler();
			streams.create("device", handler).connect();
			assertThat(logs.await("stream 1 (device): connection attempt failed", reason)).contains(limit);
			handler.await(StreamState.UNREACHABLE, Duration.ofSeconds(10));
			assertThat(peer.poll(Duration.ZERO)).as("a connection to the broker").isNull();
		}
	}

}
