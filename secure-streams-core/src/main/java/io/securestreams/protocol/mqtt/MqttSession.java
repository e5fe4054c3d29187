package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.ssl.SslContext;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamState;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * One MQTT session of a context (one client id at one broker) and the streams attached to it.
 * It outlives network connections: it opens one when the first stream attaches, shares it
 * with every stream that attaches while it is up, closes it politely when the last stream
 * leaves, and keeps the messages that await acknowledgement for the next connection. Confined
 * to its event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttSession implements MqttOutbox.Outcomes {

	private final MqttClientProtocol protocol;

	private final MqttConnectionKey key;

	private final String clientId;

	private final MqttPacketIds ids = new MqttPacketIds();

	private final MqttOutbox outbox = new MqttOutbox(this.ids, this);

	private final MqttInbox inbox = new MqttInbox();

	private final List<MqttMember> members = new ArrayList<>();

	private final MqttSubscriptions subscriptions = new MqttSubscriptions(this.ids, this::packetIdFreed);

	// What holds the connection's reading: members the application paused, and the held-message
	// gates of members not yet CONNECTED.
	private final Set<Object> paused = new HashSet<>();

	private @Nullable MqttNetworkConnection connection;

	private String openedBy = "";

	MqttSession(MqttClientProtocol protocol, MqttConnectionKey key, String clientId) {
		this.protocol = protocol;
		this.key = key;
		this.clientId = clientId;
	}

	MqttConnectionKey key() {
		return this.key;
	}

	String clientId() {
		return this.clientId;
	}

	EventLoop loop() {
		return this.key.loop();
	}

	MqttPacketIds packetIds() {
		return this.ids;
	}

	MqttOutbox outbox() {
		return this.outbox;
	}

	@Nullable MqttNetworkConnection connection() {
		return this.connection;
	}

	/**
	 * Attaches a stream's attempt, opening a network connection when there is none.
	 * @throws SecureStreamsException when the stream asks for other connection options than the
	 * streams already sharing the connection
	 */
	void attach(MqttMember member, MqttConnectOptions options, ConnectTarget target, @Nullable SslContext tls,
			Connector connector, SocketAttributes attributes, @Nullable RetryPolicy retry) {
		MqttNetworkConnection current = this.connection;
		if (current == null) {
			current = new MqttNetworkConnection(this, options, target, tls, attributes, retry);
			this.connection = current;
			this.openedBy = member.streamType();
			this.members.add(member);
			MqttNetworkConnection opening = current;
			loop().execute(() -> opening.open(connector));
			return;
		}
		if (!options.equals(current.options())) {
			throw new SecureStreamsException("streamtype '" + member.streamType() + "' cannot share the MQTT "
					+ "connection " + this.key + " opened by streamtype '" + this.openedBy + "': "
					+ options.difference(current.options())
					+ "; streams sharing a connection need identical keep-alive, clean start, will and birth");
		}
		this.members.add(member);
		if (current.isReady()) {
			MqttNetworkConnection up = current;
			loop().execute(() -> member.start(up));
		}
	}

	/** CONNACK accepted: send again what the session owes the broker. */
	void resumed(MqttNetworkConnection from, boolean sameSession) {
		if (from != this.connection) {
			return;
		}
		if (!sameSession) {
			this.inbox.sessionLost();
		}
		this.outbox.resend(from, sameSession);
	}

	/** The connection is usable (CONNACK and birth done): start the waiting streams. */
	void ready(MqttNetworkConnection from) {
		if (from != this.connection) {
			return;
		}
		for (MqttMember member : List.copyOf(this.members)) {
			member.start(from);
		}
	}

	void connectionEnded(MqttNetworkConnection from, boolean wasAccepted, Throwable cause) {
		if (from != this.connection) {
			return;
		}
		this.connection = null;
		// Before the members drop what they hold: their acknowledgements must not go out now.
		this.inbox.connectionEnded();
		this.subscriptions.clear();
		this.paused.clear();
		List<MqttMember> lost = List.copyOf(this.members);
		this.members.clear();
		// The document is written only when a stream on the connection asked for it.
		byte[] perf = lost.stream().anyMatch(MqttMember::wantsPerf) ? from.timings().toJson() : null;
		for (MqttMember member : lost) {
			member.connectionLost(wasAccepted, cause, perf);
		}
		this.protocol.removeIfIdle(this);
	}

	/** A PUBLISH from the broker. */
	void inbound(MqttNetworkConnection from, MqttPublishMessage publish) {
		if (from == this.connection) {
			this.inbox.received(from, publish, List.copyOf(this.members));
		}
	}

	MqttInbox inbox() {
		return this.inbox;
	}

	void acknowledged(int id, int qos) {
		if (this.outbox.acknowledged(id, qos) && this.connection != null) {
			writable(this.connection);
		}
	}

	/** Every packet id was in use and one was freed: streams that waited for one may send. */
	private void packetIdFreed() {
		if (this.connection != null) {
			writable(this.connection);
		}
	}

	MqttSubscriptions subscriptions() {
		return this.subscriptions;
	}

	/** The socket can take more: let the connected streams send. */
	void writable(MqttNetworkConnection from) {
		for (MqttMember member : List.copyOf(this.members)) {
			member.requestWrite();
		}
	}

	/** How long a stream waits for the SUBACK of its subscription. */
	Duration subscribeTimeout() {
		return this.protocol.subscribeTimeout();
	}

	/** How long a connection waits for the acknowledgement of a QoS 1 or 2 birth message. */
	Duration birthTimeout() {
		return this.protocol.birthTimeout();
	}

	/** How long a stream that unsubscribes to leave waits for the UNSUBACK. */
	Duration unsubscribeTimeout() {
		return this.protocol.unsubscribeTimeout();
	}

	/** How long a shadow exchange waits for its response. */
	Duration shadowTimeout() {
		return this.protocol.shadowTimeout();
	}

	/**
	 * Whether another attached stream needs the same filter, as its subscription or for a shadow
	 * exchange, so that it must not be unsubscribed.
	 */
	boolean filterShared(MqttMember member, String filter) {
		for (MqttMember other : this.members) {
			if (other != member && other.needsFilter(filter)) {
				return true;
			}
		}
		return false;
	}

	/** A stream leaves; the connection closes with the last one. */
	void detach(MqttMember member) {
		this.members.remove(member);
		setPaused(member, false);
		MqttNetworkConnection current = this.connection;
		if (this.members.isEmpty() && current != null) {
			this.connection = null;
			this.subscriptions.clear();
			this.inbox.connectionEnded();
			current.disconnect();
		}
		this.protocol.removeIfIdle(this);
	}

	void setPaused(Object holder, boolean pause) {
		boolean changed = pause ? this.paused.add(holder) : this.paused.remove(holder);
		if (changed && this.connection != null) {
			this.connection.setAutoRead(this.paused.isEmpty());
		}
	}

	/** An outcome for a stream: reported now when it is connected, else when it next connects. */
	@Override
	public void report(long owner, StreamState outcome) {
		for (MqttMember member : this.members) {
			if (member.streamId() == owner && member.isConnected()) {
				member.reportOutcome(outcome);
				return;
			}
		}
		this.outbox.defer(owner, outcome);
	}

	void streamDestroyed(long streamId) {
		this.outbox.streamDestroyed(streamId);
		this.protocol.removeIfIdle(this);
	}

	boolean isIdle() {
		return this.members.isEmpty() && this.connection == null && this.outbox.isEmpty() && this.inbox.isEmpty();
	}

}
