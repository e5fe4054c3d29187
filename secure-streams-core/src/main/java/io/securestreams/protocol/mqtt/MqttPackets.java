package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.securestreams.policy.MqttMessageSettings;

/**
 * Builds the MQTT 3.1.1 packets the client sends.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttPackets {

	private MqttPackets() {
	}

	static MqttConnectMessage connect(String clientId, MqttConnectOptions options, MqttConnectionKey key) {
		MqttMessageSettings will = options.will();
		MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.clientId(clientId)
			.cleanSession(options.cleanStart())
			.keepAlive(options.keepAliveSeconds())
			.willFlag(will.isPresent());
		if (will.isPresent()) {
			connect.willTopic(will.topic())
				.willMessage(String.valueOf(will.message()).getBytes(StandardCharsets.UTF_8))
				.willQoS(MqttQoS.valueOf(will.qos()))
				.willRetain(will.retain());
		}
		if (key.username() != null) {
			connect.hasUser(true).username(key.username());
			byte[] password = key.passwordBytes();
			if (password != null) {
				connect.hasPassword(true).password(password);
			}
		}
		return connect.build();
	}

	/**
	 * Builds a PUBLISH that takes ownership of {@code payload} (Netty's builder would copy it).
	 */
	static MqttPublishMessage publish(String topic, int qos, boolean retain, boolean dup, int packetId,
			ByteBuf payload) {
		MqttFixedHeader header = new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0);
		return new MqttPublishMessage(header, new MqttPublishVariableHeader(topic, packetId), payload);
	}

	static MqttMessage subscribe(int packetId, List<String> filters, int qos) {
		MqttMessageBuilders.SubscribeBuilder subscribe = MqttMessageBuilders.subscribe().messageId(packetId);
		for (String filter : filters) {
			subscribe.addSubscription(MqttQoS.valueOf(qos), filter);
		}
		return subscribe.build();
	}

	static MqttMessage unsubscribe(int packetId, List<String> filters) {
		MqttMessageBuilders.UnsubscribeBuilder unsubscribe = MqttMessageBuilders.unsubscribe().messageId(packetId);
		for (String filter : filters) {
			unsubscribe.addTopicFilter(filter);
		}
		return unsubscribe.build();
	}

	/** PUBACK, PUBREC, PUBREL or PUBCOMP (PUBREL has the QoS 1 flag bits the specification requires). */
	static MqttMessage withId(MqttMessageType type, int packetId) {
		MqttQoS qos = (type == MqttMessageType.PUBREL) ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
		return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
				MqttMessageIdVariableHeader.from(packetId));
	}

	/** PINGREQ, PINGRESP or DISCONNECT. */
	static MqttMessage bare(MqttMessageType type) {
		return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0));
	}

}
