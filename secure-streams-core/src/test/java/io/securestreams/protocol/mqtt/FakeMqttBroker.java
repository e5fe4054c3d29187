package io.securestreams.protocol.mqtt;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.ssl.SslHandler;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A scriptable MQTT 3.1.1 server on 127.0.0.1 for protocol details a real broker does not let a
 * test control: it records every packet it receives as text, answers CONNECT, SUBSCRIBE,
 * UNSUBSCRIBE and PINGREQ as configured, and only acknowledges PUBLISH packets when told to.
 * Optionally it speaks TLS and records the ALPN protocols each client offered.
 */
final class FakeMqttBroker implements AutoCloseable {

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Channel server;

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final List<Channel> connections = new CopyOnWriteArrayList<>();

	private final List<Integer> subscribeIds = new CopyOnWriteArrayList<>();

	/** Per TLS handshake, the ALPN protocols the client offered (empty when it sent none). */
	private final List<List<String>> alpnOffers = new CopyOnWriteArrayList<>();

	volatile MqttConnectReturnCode connAckCode = MqttConnectReturnCode.CONNECTION_ACCEPTED;

	volatile boolean sessionPresent;

	volatile boolean acknowledgePublishes;

	volatile boolean answerPings = true;

	volatile int subAckCode = -1;

	/** When {@code true}, PUBLISH packets are only counted ({@link #publishCount}), not recorded. */
	volatile boolean countOnlyPublishes;

	private final AtomicInteger publishes = new AtomicInteger();

	/** When {@code false}, SUBSCRIBE is only answered by {@link #subAck}. */
	volatile boolean answerSubscribes = true;

	/** When {@code false}, UNSUBSCRIBE is only answered by {@link #reply}. */
	volatile boolean answerUnsubscribes = true;

	private final List<Integer> unsubscribeIds = new CopyOnWriteArrayList<>();

	FakeMqttBroker() {
		this(null);
	}

	/**
	 * Starts the server.
	 * @param tls the server's TLS context, or {@code null} for plain TCP
	 */
	FakeMqttBroker(@Nullable SSLContext tls) {
		this.server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel channel) {
					FakeMqttBroker.this.connections.add(channel);
					if (tls != null) {
						channel.pipeline().addLast(tlsHandler(tls));
					}
					channel.pipeline().addLast(new MqttDecoder(8 * 1024 * 1024), MqttEncoder.INSTANCE, new Responder());
				}
			})
			.bind("127.0.0.1", 0)
			.syncUninterruptibly()
			.channel();
	}

	private SslHandler tlsHandler(SSLContext tls) {
		SSLEngine engine = tls.createSSLEngine();
		engine.setUseClientMode(false);
		// Called only when the client sent the ALPN extension; an empty list stands for none.
		List<String> offered = new CopyOnWriteArrayList<>();
		engine.setHandshakeApplicationProtocolSelector((e, protocols) -> {
			offered.addAll(protocols);
			return protocols.get(0);
		});
		SslHandler handler = new SslHandler(engine);
		handler.handshakeFuture().addListener((f) -> {
			if (f.isSuccess()) {
				this.alpnOffers.add(List.copyOf(offered));
			}
		});
		return handler;
	}

	/** Returns the ALPN protocols offered in each completed TLS handshake, in order. */
	List<List<String>> alpnOffers() {
		return List.copyOf(this.alpnOffers);
	}

	int port() {
		return ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	/** Returns how many PUBLISH packets arrived, recorded or not. */
	int publishCount() {
		return this.publishes.get();
	}

	int connections() {
		return this.connections.size();
	}

	List<String> received() {
		return List.copyOf(this.received);
	}

	List<String> received(String prefix) {
		return this.received.stream().filter((packet) -> packet.startsWith(prefix)).toList();
	}

	void awaitReceived(String prefix, int count, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> received(prefix).size() >= count);
	}

	/** Sends a packet on the newest connection. */
	void send(MqttMessage message) {
		Channel latest = this.connections.get(this.connections.size() - 1);
		latest.writeAndFlush(message).syncUninterruptibly();
	}

	void reply(MqttMessageType type, int packetId) {
		send(MqttPackets.withId(type, packetId));
	}

	void publish(String topic, String payload, int qos, int packetId, boolean dup) {
		send(MqttPackets.publish(topic, qos, false, dup, packetId,
				Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)));
	}

	/** Answers the last SUBSCRIBE received, granting QoS {@code granted} to each of its filters. */
	void subAck(int... granted) {
		int id = this.subscribeIds.get(this.subscribeIds.size() - 1);
		send(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(id), new MqttSubAckPayload(granted)));
	}

	/** Returns the packet id of the last UNSUBSCRIBE received. */
	int lastUnsubscribeId() {
		return this.unsubscribeIds.get(this.unsubscribeIds.size() - 1);
	}

	/** Closes every connection without any MQTT goodbye. */
	void dropAll() {
		for (Channel channel : this.connections) {
			channel.close().syncUninterruptibly();
		}
	}

	/** Returns the packet id of the n-th received PUBLISH (0-based). */
	int publishId(int index) {
		String packet = received("PUBLISH").get(index);
		return Integer.parseInt(packet.replaceAll(".* id=(\\d+).*", "$1"));
	}

	@Override
	public void close() {
		this.server.close().syncUninterruptibly();
		dropAll();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private static String text(MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		Object header = message.variableHeader();
		return switch (type) {
			case CONNECT -> {
				MqttConnectMessage connect = (MqttConnectMessage) message;
				yield "CONNECT " + connect.payload().clientIdentifier() + " clean="
						+ connect.variableHeader().isCleanSession() + " keepAlive="
						+ connect.variableHeader().keepAliveTimeSeconds() + " user=" + connect.payload().userName()
						+ " password=" + ((connect.payload().passwordInBytes() != null)
								? new String(connect.payload().passwordInBytes(), StandardCharsets.UTF_8) : null)
						+ " will=" + connect.payload().willTopic();
			}
			case PUBLISH -> {
				MqttPublishMessage publish = (MqttPublishMessage) message;
				yield "PUBLISH " + publish.variableHeader().topicName() + " qos="
						+ publish.fixedHeader().qosLevel().value()
						+ " id=" + publish.variableHeader().packetId() + " dup=" + publish.fixedHeader().isDup()
						+ " retain=" + publish.fixedHeader().isRetain() + " payload="
						+ publish.content().toString(StandardCharsets.UTF_8);
			}
			case SUBSCRIBE -> "SUBSCRIBE " + String.join(" ", ((MqttSubscribeMessage) message).payload()
				.topicSubscriptions()
				.stream()
				.map((subscription) -> subscription.topicFilter())
				.toList());
			case UNSUBSCRIBE -> "UNSUBSCRIBE "
					+ String.join(" ", ((MqttUnsubscribeMessage) message).payload().topics());
			default -> type + ((header instanceof MqttMessageIdVariableHeader id) ? " " + id.messageId() : "");
		};
	}

	/** Records and answers one connection's packets. */
	private final class Responder extends SimpleChannelInboundHandler<MqttMessage> {

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
			FakeMqttBroker broker = FakeMqttBroker.this;
			boolean publish = message.fixedHeader().messageType() == MqttMessageType.PUBLISH;
			if (publish) {
				broker.publishes.incrementAndGet();
			}
			if (!publish || !broker.countOnlyPublishes) {
				broker.received.add(text(message));
			}
			Object header = message.variableHeader();
			int id = (header instanceof MqttMessageIdVariableHeader idHeader) ? idHeader.messageId() : 0;
			switch (message.fixedHeader().messageType()) {
				case CONNECT -> ctx.writeAndFlush(new MqttConnAckMessage(
						new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
						new MqttConnAckVariableHeader(broker.connAckCode, broker.sessionPresent)));
				case PUBLISH -> {
					int qos = message.fixedHeader().qosLevel().value();
					if (broker.acknowledgePublishes && qos > 0) {
						ctx.writeAndFlush(MqttPackets.withId(
								(qos == 1) ? MqttMessageType.PUBACK : MqttMessageType.PUBREC,
								((MqttPublishMessage) message).variableHeader().packetId()));
					}
				}
				case PUBREL -> {
					if (broker.acknowledgePublishes) {
						ctx.writeAndFlush(MqttPackets.withId(MqttMessageType.PUBCOMP, id));
					}
				}
				case SUBSCRIBE -> {
					broker.subscribeIds.add(id);
					if (!broker.answerSubscribes) {
						return;
					}
					MqttSubscribeMessage subscribe = (MqttSubscribeMessage) message;
					int[] granted = subscribe.payload()
						.topicSubscriptions()
						.stream()
						.mapToInt((subscription) -> (broker.subAckCode >= 0) ? broker.subAckCode
								: subscription.qualityOfService().value())
						.toArray();
					ctx.writeAndFlush(new MqttSubAckMessage(
							new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
							MqttMessageIdVariableHeader.from(id), new MqttSubAckPayload(granted)));
				}
				case UNSUBSCRIBE -> {
					broker.unsubscribeIds.add(id);
					if (broker.answerUnsubscribes) {
						ctx.writeAndFlush(MqttPackets.withId(MqttMessageType.UNSUBACK, id));
					}
				}
				case PINGREQ -> {
					if (broker.answerPings) {
						ctx.writeAndFlush(MqttPackets.bare(MqttMessageType.PINGRESP));
					}
				}
				default -> {
				}
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}

	}

}
