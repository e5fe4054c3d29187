package io.securestreams.protocol.mqtt;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * A QoS 1 or 2 PUBLISH that the broker has not acknowledged yet. The payload is kept as a byte
 * array so the message can be sent again after a reconnect without holding Netty buffers.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttOutboundMessage {

	/** Owner of messages whose stream was destroyed; their outcome is not reported. */
	static final long ORPHAN = -1;

	final int packetId;

	final String topic;

	final int qos;

	final boolean retain;

	final byte[] payload;

	long owner;

	/** How many times the PUBLISH was handed to a connection. */
	int sends;

	/** Whether one of the sends was completely written to the socket. */
	boolean written;

	/** QoS 2: PUBREC arrived, PUBREL sent, PUBCOMP awaited. */
	boolean released;

	MqttOutboundMessage(int packetId, long owner, String topic, int qos, boolean retain, byte[] payload) {
		this.packetId = packetId;
		this.owner = owner;
		this.topic = topic;
		this.qos = qos;
		this.retain = retain;
		this.payload = payload;
	}

	MqttPublishMessage toPublish(boolean dup) {
		return MqttPackets.publish(this.topic, this.qos, this.retain, dup, this.packetId,
				Unpooled.wrappedBuffer(this.payload));
	}

}
