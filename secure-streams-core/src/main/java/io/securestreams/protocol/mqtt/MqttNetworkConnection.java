package io.securestreams.protocol.mqtt;

import java.net.ProtocolException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.policy.MqttMessageSettings;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import io.securestreams.transport.Connector;
import io.securestreams.transport.QuickAckHandler;
import io.securestreams.transport.TurnEndFlushHandler;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network connection of an MQTT session: opens the socket (with proxy and TLS through the
 * {@link Connector}), sends CONNECT, waits for CONNACK, publishes the birth message, keeps the
 * connection alive with PINGREQ and hands every other packet to the session. Used on the
 * session's event loop only.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttNetworkConnection implements MqttKeepAlive.Actions {

	private static final Logger logger = LoggerFactory.getLogger(MqttNetworkConnection.class);

	/** Largest packet accepted from the broker; a larger one closes the connection. */
	static final int MAX_INBOUND_BYTES = 1024 * 1024;

	/** How long the broker may take to answer CONNECT. */
	static final long CONNACK_TIMEOUT_SECONDS = 10;

	/**
	 * How long the broker may take to acknowledge a QoS 1 or 2 birth message (PUBACK, or PUBCOMP
	 * for QoS 2) before the attempt fails: the streams wait for it, and PINGREQ would otherwise
	 * keep a connection alive on which they never become CONNECTED. As long as the wait for
	 * CONNACK.
	 */
	static final Duration BIRTH_TIMEOUT = Duration.ofSeconds(CONNACK_TIMEOUT_SECONDS);

	private final MqttSession session;

	private final MqttConnectOptions options;

	private final ConnectTarget target;

	private final @Nullable SslContext tls;

	private final SocketAttributes attributes;

	private final MqttKeepAlive keepAlive;

	// Shared by every stream on this connection; those of "perf" streamtypes get it at the end.
	private final ConnectionTimings timings = new ConnectionTimings();

	private @Nullable Future<Channel> pending;

	private @Nullable Channel channel;

	private @Nullable ScheduledFuture<?> connackTimer;

	// Bounds the wait for the acknowledgement of a QoS 1 or 2 birth message.
	private @Nullable ScheduledFuture<?> birthTimer;

	private boolean accepted;

	private boolean ready;

	private boolean finished;

	private int birthId;

	// The QoS 1 or 2 birth message until the broker acknowledged it.
	private @Nullable MqttOutboundMessage birth;

	private @Nullable Throwable failure;

	MqttNetworkConnection(MqttSession session, MqttConnectOptions options, ConnectTarget target,
			@Nullable SslContext tls, SocketAttributes attributes, @Nullable RetryPolicy retry) {
		this.session = session;
		this.options = options;
		this.target = target;
		this.tls = tls;
		this.attributes = attributes;
		this.keepAlive = new MqttKeepAlive(session.loop(), this, options.keepAliveSeconds(), retry);
	}

	MqttConnectOptions options() {
		return this.options;
	}

	/** Whether CONNACK accepted the connection and the birth message is out (streams may start). */
	boolean isReady() {
		return this.ready && !this.finished;
	}

	/** Whether the broker's CONNACK accepted the connection (streams may not be ready yet). */
	boolean isAccepted() {
		return this.accepted;
	}

	boolean isWritable() {
		Channel ch = this.channel;
		return isReady() && ch != null && ch.isWritable();
	}

	@Nullable SocketAddress peerAddress() {
		Channel ch = this.channel;
		return (ch != null) ? VisibleAddresses.of(ch.remoteAddress()) : null;
	}

	ByteBufAllocator alloc() {
		Channel ch = this.channel;
		return (ch != null) ? ch.alloc() : ByteBufAllocator.DEFAULT;
	}

	void open(Connector connector) {
		if (this.finished) {
			return;
		}
		Future<Channel> ready = connector.connect(this.session.loop(), this.target, this.tls, this.attributes,
				this.timings, (pipeline) -> pipeline.addLast("quickAck", new QuickAckHandler())
					.addLast("flush", new TurnEndFlushHandler(256))
					.addLast("mqttDecoder", new MqttDecoder(MAX_INBOUND_BYTES))
					.addLast("mqttReadGate", new MqttReadGate())
					.addLast("mqttEncoder", MqttEncoder.INSTANCE)
					.addLast("mqtt", new MqttChannelHandler(this)));
		this.pending = ready;
		ready.addListener((Future<Channel> f) -> {
			this.pending = null;
			if (this.finished) {
				if (f.isSuccess()) {
					f.getNow().close();
				}
			}
			else if (f.isSuccess()) {
				this.channel = f.getNow();
				sendConnect();
			}
			else {
				finish(false, (f.cause() != null) ? f.cause() : new ClosedChannelException());
			}
		});
	}

	private void sendConnect() {
		send(MqttPackets.connect(this.session.clientId(), this.options, this.session.key()));
		this.connackTimer = this.session.loop().schedule(() -> {
			if (!this.accepted) {
				hangUp("no CONNACK within " + CONNACK_TIMEOUT_SECONDS + " s");
			}
		}, CONNACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
	}

	void connAck(boolean accepted, boolean sessionPresent, String returnCode) {
		cancelConnackTimer();
		if (this.accepted || this.finished) {
			return;
		}
		if (!accepted) {
			logger.warn("MQTT broker {} refused the connection: {}", this.session.key(), returnCode);
			finish(false, new MqttRefusedException("the MQTT broker refused the connection: " + returnCode));
			closeChannel();
			return;
		}
		if (sessionPresent && this.options.cleanStart()) {
			// Section 3.2.2.2: a client that asked for a clean session holds no session state, and
			// must close the connection when told one was kept (libwebsockets does too).
			String reason = "the broker says it kept a session although a clean session was asked for";
			logger.warn("MQTT broker {} broke the protocol: {}; closing", this.session.key(), reason);
			finish(false, new ProtocolException(reason));
			closeChannel();
			return;
		}
		this.accepted = true;
		this.keepAlive.start();
		MqttMessageSettings birth = this.options.birth();
		if (birth.isPresent()) {
			this.birthId = (birth.qos() > 0) ? this.session.packetIds().allocate() : 0;
			if (birth.qos() > 0 && this.birthId == 0) {
				// Every packet id is held by messages in flight in the resumed session.
				logger.warn("MQTT broker {}: no packet id free for the QoS {} birth message; it goes out at QoS 0",
						this.session.key(), birth.qos());
			}
			MqttOutboundMessage message = new MqttOutboundMessage(this.birthId, MqttOutboundMessage.ORPHAN,
					birth.topic(), (this.birthId != 0) ? birth.qos() : 0, birth.retain(),
					String.valueOf(birth.message()).getBytes(StandardCharsets.UTF_8));
			this.birth = (this.birthId != 0) ? message : null;
			sendPublish(message, false);
			if (this.birthId != 0) {
				long nanos = this.session.birthTimeout().toNanos();
				this.birthTimer = this.session.loop().schedule(this::birthTimedOut, nanos, TimeUnit.NANOSECONDS);
			}
		}
		this.session.resumed(this, sessionPresent && !this.options.cleanStart());
		if (this.birthId == 0) {
			becomeReady();
		}
	}

	// The broker took the birth message and did not acknowledge it: the attempt fails for every
	// stream waiting on this connection (UNREACHABLE, then backoff), as without a CONNACK.
	private void birthTimedOut() {
		MqttOutboundMessage owed = this.birth;
		if (owed == null || this.ready || this.finished) {
			return;
		}
		String reason = "no " + ((owed.qos == 1) ? "PUBACK" : "PUBCOMP") + " for the birth message within "
				+ this.session.birthTimeout().toMillis() + " ms";
		logger.warn("MQTT broker {}: {}; the attempt fails", this.session.key(), reason);
		failed(new TimeoutException(reason));
		closeChannel();
	}

	private void becomeReady() {
		if (!this.ready && !this.finished) {
			this.ready = true;
			this.session.ready(this);
		}
	}

	/** What makes a PUBCOMP break the protocol (see {@link MqttOutbox#completionViolation}), or {@code null}. */
	@Nullable String completionViolation(int id) {
		MqttOutboundMessage owed = this.birth;
		if (id != 0 && id == this.birthId && owed != null) {
			return (owed.qos == 2 && !owed.released) ? "PUBCOMP for packet id " + id + " before its PUBREC" : null;
		}
		return this.session.outbox().completionViolation(id);
	}

	/**
	 * PUBACK or PUBCOMP; returns {@code true} when it was the birth message's. An acknowledgement
	 * of the other kind (a PUBACK for a QoS 2 birth) completes nothing and is ignored, as the
	 * outbox ignores one for its messages: the birth still waits for its own.
	 * @param id the packet id
	 * @param qos the QoS the acknowledgement completes: 1 for PUBACK, 2 for PUBCOMP
	 */
	boolean birthAcknowledged(int id, int qos) {
		MqttOutboundMessage owed = this.birth;
		if (id == 0 || id != this.birthId) {
			return false;
		}
		if (owed != null && owed.qos != qos) {
			logger.debug("ignoring a {} for the QoS {} birth message (packet id {})", (qos == 1) ? "PUBACK" : "PUBCOMP",
					owed.qos, id);
			return true;
		}
		this.session.packetIds().release(id);
		this.birthId = 0;
		this.birth = null;
		cancelBirthTimer();
		becomeReady();
		return true;
	}

	/** PUBREC; returns {@code true} when it was the QoS 2 birth message's (PUBREL is sent). */
	boolean birthReceived(int id) {
		MqttOutboundMessage owed = this.birth;
		if (id == 0 || id != this.birthId || owed == null) {
			return false;
		}
		owed.released = true;
		sendPubRel(id);
		return true;
	}

	void sendPublish(MqttOutboundMessage message, boolean dup) {
		message.sends++;
		sendPublish(message.toPublish(dup), message);
	}

	void sendPublish(MqttPublishMessage publish, @Nullable MqttOutboundMessage tracked) {
		Channel ch = this.channel;
		if (ch == null || this.finished) {
			publish.release();
			return;
		}
		this.keepAlive.sent();
		ch.writeAndFlush(publish).addListener((ChannelFutureListener) (f) -> {
			if (f.isSuccess() && tracked != null) {
				tracked.written = true;
			}
			else if (!f.isSuccess()) {
				f.channel().close();
			}
		});
	}

	void sendPubRel(int id) {
		send(MqttPackets.withId(MqttMessageType.PUBREL, id));
	}

	void sendReply(MqttMessageType type, int id) {
		send(MqttPackets.withId(type, id));
	}

	void send(MqttMessage message) {
		Channel ch = this.channel;
		if (ch == null || this.finished) {
			ReferenceCountUtil.release(message);
			return;
		}
		this.keepAlive.sent();
		ch.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
	}

	void confirmed() {
		this.keepAlive.confirmed();
	}

	void setAutoRead(boolean autoRead) {
		Channel ch = this.channel;
		if (ch != null) {
			ch.config().setAutoRead(autoRead);
		}
	}

	@Override
	public void ping() {
		send(MqttPackets.bare(MqttMessageType.PINGREQ));
	}

	@Override
	public void hangUp(String reason) {
		logger.info("closing the MQTT connection to {}: {}", this.session.key(), reason);
		failed(new TimeoutException(reason));
		closeChannel();
		if (this.channel == null) {
			Future<Channel> connecting = this.pending;
			if (connecting != null) {
				connecting.cancel(false);
			}
		}
	}

	/** Leaves politely: DISCONNECT (so the will is not published), then close. */
	void disconnect() {
		Channel ch = this.channel;
		boolean wasAccepted = this.accepted && !this.finished;
		if (!this.finished) {
			this.finished = true;
			settleBirth();
		}
		stopTimers();
		if (ch == null) {
			Future<Channel> connecting = this.pending;
			if (connecting != null) {
				connecting.cancel(false);
			}
			return;
		}
		if (wasAccepted && ch.isActive()) {
			ch.writeAndFlush(MqttPackets.bare(MqttMessageType.DISCONNECT)).addListener(ChannelFutureListener.CLOSE);
		}
		else {
			ch.close();
		}
	}

	/** Remembers why the channel is about to close, for the report to the streams. */
	void failed(Throwable cause) {
		if (this.failure == null) {
			this.failure = cause;
		}
	}

	/** The channel closed, or could not be opened. */
	void channelClosed(Channel closed) {
		if (closed == this.channel) {
			finish(this.accepted, (this.failure != null) ? this.failure : new ClosedChannelException());
		}
	}

	private void finish(boolean wasAccepted, Throwable cause) {
		if (this.finished) {
			return;
		}
		this.finished = true;
		stopTimers();
		settleBirth();
		this.session.connectionEnded(this, wasAccepted, cause);
	}

	// The connection ends with its QoS 1 or 2 birth message unacknowledged.
	private void settleBirth() {
		MqttOutboundMessage owed = this.birth;
		if (owed != null && owed.qos == 2 && owed.written && !this.options.cleanStart()) {
			// The broker may hold this id for the session (it has the message, or awaits its
			// PUBREL): the outbox keeps the id and completes the exchange after a resume.
			this.session.outbox().adopt(owed);
		}
		else if (this.birthId != 0) {
			this.session.packetIds().release(this.birthId);
		}
		this.birthId = 0;
		this.birth = null;
	}

	private void stopTimers() {
		this.keepAlive.stop();
		cancelConnackTimer();
		cancelBirthTimer();
	}

	private void cancelBirthTimer() {
		if (this.birthTimer != null) {
			this.birthTimer.cancel(false);
			this.birthTimer = null;
		}
	}

	private void cancelConnackTimer() {
		if (this.connackTimer != null) {
			this.connackTimer.cancel(false);
			this.connackTimer = null;
		}
	}

	private void closeChannel() {
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
	}

	MqttSession session() {
		return this.session;
	}

	/**
	 * Returns the setup timings of this connection.
	 * @return the timings, filled by the connector
	 */
	ConnectionTimings timings() {
		return this.timings;
	}

}
