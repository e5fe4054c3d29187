package io.securestreams.protocol.mqtt;

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

	MqttChannelHandler(MqttNetworkConnection connection) {
		this.connection = connection;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (!(msg instanceof MqttMessage message)) {
				return;
			}
			if (message.decoderResult().isFailure()) {
				logger.warn("malformed MQTT packet from {}: {}; closing", ctx.channel().remoteAddress(),
						message.decoderResult().cause().toString());
				ctx.close();
				return;
			}
			dispatch(message);
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
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
