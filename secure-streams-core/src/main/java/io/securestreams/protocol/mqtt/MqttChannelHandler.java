package io.securestreams.protocol.mqtt;

import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
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
				String fault = "malformed MQTT packet: " + message.decoderResult().cause();
				logger.warn("{} from {}; closing", fault, ctx.channel().remoteAddress());
				// The stream's "connection failed" line names the fault instead of a bare closed channel.
				this.connection.failed(new ProtocolException(fault));
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
		if (type == MqttMessageType.PUBLISH) {
			return topicViolation((MqttPublishMessage) message);
		}
		return switch (type) {
			case CONNACK -> this.connection.isAccepted() ? "a second CONNACK" : null;
			case SUBACK -> this.connection.session().subscriptions().subAckViolation(id(message),
					returnCodes((MqttSubAckMessage) message));
			case PUBCOMP -> this.connection.completionViolation(id(message));
			// Section 2.2.1: these travel from client to server only.
			case CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT -> type + ", which only a client may send";
			default -> null;
		};
	}

	/**
	 * Sections 1.5.3 and 4.7.3: a topic name is well-formed UTF-8, at least one character long and
	 * free of U+0000. The codec decodes ill-formed bytes to U+FFFD without complaint, so the topic's
	 * length on the wire (from the remaining length) is compared with its re-encoded length; a
	 * sequence that decodes to one U+FFFD of the same length cannot be told from an encoded U+FFFD,
	 * so a topic holding U+FFFD is refused as ill-formed too.
	 */
	private static @Nullable String topicViolation(MqttPublishMessage publish) {
		String topic = publish.variableHeader().topicName();
		if (topic.isEmpty()) {
			return "PUBLISH with an empty topic name";
		}
		if (topic.indexOf('\0') >= 0) {
			return "PUBLISH topic name holds U+0000";
		}
		int idLength = (publish.fixedHeader().qosLevel().value() > 0) ? 2 : 0;
		int wireLength = publish.fixedHeader().remainingLength() - 2 - idLength - publish.content().readableBytes();
		if (topic.indexOf('\uFFFD') >= 0 || ByteBufUtil.utf8Bytes(topic) != wireLength) {
			return "PUBLISH topic name is not well-formed UTF-8";
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
				int qos = (type == MqttMessageType.PUBACK) ? 1 : 2;
				if (!this.connection.birthAcknowledged(id, qos)) {
					session.acknowledged(id, qos);
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
				// Checked by violation() when a SUBSCRIBE awaits it; otherwise only logged.
				session.subscriptions().subscribed(id(message), returnCodes((MqttSubAckMessage) message));
			}
			case UNSUBACK -> {
				this.connection.confirmed();
				session.subscriptions().unsubscribed(id(message));
			}
			case PINGRESP -> this.connection.confirmed();
			default -> logger.debug("ignoring MQTT {} from the broker", type);
		}
	}

	// The typed codes, since reasonCodes() and grantedQoSLevels() throw when the decoder met a code
	// it does not know (it keeps null for it).
	private static List<@Nullable Integer> returnCodes(MqttSubAckMessage subAck) {
		List<@Nullable Integer> codes = new ArrayList<>();
		for (MqttReasonCodes.@Nullable SubAck code : subAck.payload().typedReasonCodes()) {
			codes.add((code != null) ? code.byteValue() & 0xff : null);
		}
		return codes;
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
