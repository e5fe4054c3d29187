package io.securestreams.protocol.mqtt;

import java.net.ProtocolException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an MQTT client pipeline: turns decoded packets into calls on the
 * {@link MqttNetworkConnection} and its session, and releases every packet.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttChannelHandler extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(MqttChannelHandler.class);

	private final MqttNetworkConnection connection;

	// Set when this handler closed the connection for a fault: packets the decoder had already
	// read after the faulty one (it hands a whole read's worth on) are dropped, not acted upon.
	private boolean cutOff;

	MqttChannelHandler(MqttNetworkConnection connection) {
		this.connection = connection;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (!(msg instanceof MqttMessage message) || this.cutOff) {
				return;
			}
			if (message.decoderResult().isFailure()) {
				logger.warn("malformed MQTT packet from {}: {}; closing", ctx.channel().remoteAddress(),
						message.decoderResult().cause().toString());
				this.cutOff = true;
				ctx.close();
				return;
			}
			String violation = violation(message);
			if (violation != null) {
				logger.warn("MQTT broker {} broke the protocol: {}; closing", ctx.channel().remoteAddress(), violation);
				this.connection.failed(new ProtocolException(violation));
				this.cutOff = true;
				ctx.close();
				return;
			}
			dispatch(message);
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	/**
	 * What the codec lets through but MQTT 3.1.1 forbids and the client must close the connection
	 * for, or {@code null}.
	 */
	private @Nullable String violation(MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (type != MqttMessageType.CONNACK && !this.connection.isAccepted()) {
			// Section 3.2: the broker's first packet is CONNACK (libwebsockets closes too).
			return type + " before CONNACK";
		}
		return null;
	}

	private void dispatch(MqttMessage message) {
		MqttSession session = this.connection.session();
		MqttMessageType type = message.fixedHeader().messageType();
		switch (type) {
			case CONNACK -> {
				MqttConnectReturnCode code = ((MqttConnAckMessage) message).variableHeader().connectReturnCode();
				this.connection.connAck(code == MqttConnectReturnCode.CONNECTION_ACCEPTED,
						((MqttConnAckMessage) message).variableHeader().isSessionPresent(), code.name());
			}
			case PUBLISH -> session.inbound(this.connection, (MqttPublishMessage) message);
			case PUBACK, PUBCOMP -> {
				this.connection.confirmed();
				int id = id(message);
				if (!this.connection.birthAcknowledged(id)) {
					session.acknowledged(id, (type == MqttMessageType.PUBACK) ? 1 : 2);
				}
			}
			case PUBREC -> {
				this.connection.confirmed();
				int id = id(message);
				if (!this.connection.birthReceived(id)) {
					session.outbox().received(this.connection, id);
				}
			}
			case PUBREL -> session.inbox().released(this.connection, id(message));
			case SUBACK -> {
				this.connection.confirmed();
				session.subscriptions().subscribed(id(message),
						((MqttSubAckMessage) message).payload().grantedQoSLevels());
			}
			case UNSUBACK -> {
				this.connection.confirmed();
				session.subscriptions().unsubscribed(id(message));
			}
			case PINGRESP -> this.connection.confirmed();
			default -> logger.debug("ignoring MQTT {} from the broker", type);
		}
	}

	private static int id(MqttMessage message) {
		Object header = message.variableHeader();
		return (header instanceof MqttMessageIdVariableHeader idHeader) ? idHeader.messageId() : 0;
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			this.connection.session().writable(this.connection);
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.connection.channelClosed(ctx.channel());
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		logger.debug("MQTT connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
		this.connection.failed(cause);
		ctx.close();
	}

}
