package io.securestreams.protocol.mqtt;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's attempt on a shared MQTT session: subscribes (if the streamtype does), reports
 * CONNECTED once the connection is ready and the SUBACK arrived, delivers the messages its
 * filter matches, publishes through its {@link MqttPublisher}, and reports QoS outcomes. With
 * {@code aws_iot} it also receives the responses of its device-shadow requests ({@link MqttShadow}).
 * DISCONNECT_ME from {@code onTx} unsubscribes and leaves after the UNSUBACK, or after
 * {@link #UNSUBACK_TIMEOUT} without one, as libwebsockets does (destruction meanwhile leaves at
 * once); from {@code onState} or {@code onRx}, and destruction, leave at once and keep the
 * subscription. Either way the connection stays up for the other streams and closes when the
 * last one leaves.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttMember implements ProtocolConnection, MqttSubscriptions.Answer {

	/**
	 * How long DISCONNECT_ME from {@code onTx} waits for the UNSUBACK before the stream leaves
	 * anyway (libwebsockets' {@code LWS_MQTT_RESPONSE_TIMEOUT}).
	 */
	static final Duration UNSUBACK_TIMEOUT = Duration.ofSeconds(3);

	/**
	 * How long a stream waits for the SUBACK of its subscription before its attempt fails
	 * (libwebsockets sets no bound; a broker that never answers would hold the stream in
	 * CONNECTING while the connection lives). As long as the wait for CONNACK.
	 */
	static final Duration SUBACK_TIMEOUT = Duration.ofSeconds(MqttNetworkConnection.CONNACK_TIMEOUT_SECONDS);

	private static final Logger logger = LoggerFactory.getLogger(MqttMember.class);

	/** Name of the metadata that receives the topic of each delivered message, when declared. */
	static final String TOPIC_METADATA = "topic";

	private enum Phase {

		WAITING, SUBSCRIBING, CONNECTED, UNSUBSCRIBING, LEFT

	}

	/** A message kept until CONNECTED; {@code ack} (if any) is told when it was delivered or dropped. */
	private record Held(String topic, byte[] payload, MqttInbox.@Nullable PendingAck ack) {

		void delivered(long streamId) {
			if (this.ack != null) {
				this.ack.delivered(streamId);
			}
		}

		void done() {
			if (this.ack != null) {
				this.ack.done();
			}
		}

	}

	/** Most payload bytes a stream holds for delivery at CONNECTED before reading pauses. */
	static final long HELD_LIMIT = 8 * 1024 * 1024;

	private final MqttSession session;

	private final StreamLink link;

	private final @Nullable String filter;

	private final MqttPublisher publisher;

	private final MqttShadow shadow;

	private final ArrayDeque<Held> held = new ArrayDeque<>();

	// The payload bytes held before CONNECTED, and what pauses the connection's reading when they
	// reach HELD_LIMIT (a broker that floods before the stream is CONNECTED, for up to the
	// subscription's answer time, must not grow the client's memory without bound).
	private long heldBytes;

	private final Object heldGate = new Object();

	private final boolean topicMetadata;

	private Phase phase = Phase.WAITING;

	/** The application returned DESTROY_ME; nothing more is delivered before the stream goes. */
	private boolean doomed;

	private @Nullable MqttNetworkConnection connection;

	// Bounds the wait for a SUBACK (SUBSCRIBING) or an UNSUBACK (UNSUBSCRIBING).
	private @Nullable ScheduledFuture<?> answerTimer;

	MqttMember(MqttSession session, StreamLink link, @Nullable String filter) {
		this.session = session;
		this.link = link;
		this.filter = filter;
		this.shadow = new MqttShadow(session, this, session.shadowTimeout());
		this.publisher = new MqttPublisher(session, this, link, this.shadow);
		this.topicMetadata = link.policy().metadata(TOPIC_METADATA) != null;
	}

	long streamId() {
		return this.link.streamId();
	}

	String streamType() {
		return this.link.policy().name();
	}

	@Nullable String filter() {
		return this.filter;
	}

	/** Whether this stream needs the broker to keep {@code filter}, for itself or for a shadow exchange. */
	boolean needsFilter(String filter) {
		return filter.equals(this.filter) || this.shadow.isResponseTopic(filter);
	}

	boolean isConnected() {
		return this.phase == Phase.CONNECTED && !this.doomed;
	}

	/** The connection is ready: subscribe, or report CONNECTED straight away. */
	void start(MqttNetworkConnection on) {
		if (this.phase != Phase.WAITING || on != this.session.connection()) {
			return;
		}
		this.connection = on;
		if (this.filter == null) {
			connected();
		}
		else if (this.session.subscriptions()
			.subscribe(on, this, List.of(this.filter), this.link.policy().mqtt().qos())) {
			this.phase = Phase.SUBSCRIBING;
			this.answerTimer = this.session.loop()
				.schedule(this::subackTimedOut, this.session.subscribeTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		else {
			fail("no MQTT packet id is free to subscribe with");
		}
	}

	@Override
	public void subscribed(List<Integer> granted) {
		if (this.phase != Phase.SUBSCRIBING) {
			return;
		}
		cancelAnswerTimer();
		if (granted.isEmpty() || granted.get(0) >= 0x80) {
			fail("the broker refused the subscription to '" + this.filter + "'");
			return;
		}
		connected();
	}

	// The broker took the SUBSCRIBE and did not answer: this stream's attempt fails (and is
	// retried by backoff), the connection and the streams sharing it carry on, and a late SUBACK
	// only frees the packet id.
	private void subackTimedOut() {
		if (this.phase == Phase.SUBSCRIBING) {
			long millis = this.session.subscribeTimeout().toMillis();
			logger.warn("Stream {} of streamtype '{}': no SUBACK for '{}' within {} ms; the attempt fails", streamId(),
					streamType(), this.filter, millis);
			this.session.subscriptions().abandon(this);
			fail("no SUBACK for '" + this.filter + "' within " + millis + " ms");
		}
	}

	private void fail(String reason) {
		cancelAnswerTimer();
		this.phase = Phase.LEFT;
		dropHeld();
		this.session.detach(this);
		this.link.connectFailed(new IllegalStateException(reason));
	}

	private void connected() {
		this.phase = Phase.CONNECTED;
		if (stop(this.link.state(StreamState.CONNECTED))) {
			return;
		}
		while (isConnected() && !this.held.isEmpty()) {
			Held message = this.held.poll();
			ByteBuf payload = Unpooled.wrappedBuffer(message.payload());
			message.delivered(streamId());
			rx(message.topic(), payload);
			message.done();
		}
		if (this.held.isEmpty()) {
			releaseHeldGate();
		}
		StreamState outcome;
		while (isConnected() && (outcome = this.session.outbox().nextDeferred(streamId())) != null) {
			reportOutcome(outcome);
		}
		requestWrite();
	}

	void reportOutcome(StreamState outcome) {
		if (!isConnected()) {
			this.session.outbox().defer(streamId(), outcome);
			return;
		}
		stop(this.link.state(outcome));
	}

	boolean accepts(String topic) {
		if (this.doomed || !(this.phase == Phase.WAITING || this.phase == Phase.SUBSCRIBING
				|| this.phase == Phase.CONNECTED)) {
			return false;
		}
		return (this.filter != null && MqttTopics.matches(this.filter, topic)) || this.shadow.isResponseTopic(topic);
	}

	/**
	 * A matching message: delivered now, or held until CONNECTED has been reported.
	 * @param ack the acknowledgement of a QoS 1 or 2 message, which a held message holds back
	 * until it was delivered; {@code null} for QoS 0
	 */
	void deliver(String topic, ByteBuf payload, MqttInbox.@Nullable PendingAck ack) {
		if (isConnected()) {
			// Recorded first: the application may leave from onRx, which can end the connection.
			if (ack != null) {
				ack.delivered(streamId());
			}
			rx(topic, payload);
		}
		else {
			if (ack != null) {
				ack.hold();
			}
			this.held.add(new Held(topic, ByteBufUtil.getBytes(payload), ack));
			this.heldBytes += payload.readableBytes();
			if (this.heldBytes >= HELD_LIMIT) {
				// Read no more until the stream is CONNECTED (or leaves): the broker waits.
				this.session.setPaused(this.heldGate, true);
			}
		}
		this.shadow.delivered(topic);
	}

	private void rx(String topic, ByteBuf payload) {
		if (this.topicMetadata) {
			this.link.receivedMetadata(TOPIC_METADATA, topic.getBytes(StandardCharsets.UTF_8));
		}
		stop(this.link.rx(payload, StreamFlags.SOM | StreamFlags.EOM));
	}

	/** Whether the application asked to stop what this member was doing. */
	private boolean stop(StreamResult result) {
		if (result == StreamResult.DESTROY_ME) {
			// The stream is going away; deliver nothing more to it before it does.
			this.doomed = true;
		}
		return result == StreamResult.DISCONNECT_ME || result == StreamResult.DESTROY_ME;
	}

	/** Forgets the held messages; acknowledgements no other stream waits for go out (if still possible). */
	private void dropHeld() {
		Held message;
		while ((message = this.held.poll()) != null) {
			message.done();
		}
		releaseHeldGate();
	}

	private void releaseHeldGate() {
		this.heldBytes = 0;
		this.session.setPaused(this.heldGate, false);
	}

	@Override
	public void requestWrite() {
		MqttNetworkConnection on = this.connection;
		if (isConnected() && on != null) {
			this.publisher.pump(on);
		}
	}

	@Override
	public void close() {
		MqttNetworkConnection on = this.connection;
		if (this.phase == Phase.LEFT) {
			return;
		}
		if (this.phase == Phase.UNSUBSCRIBING) {
			// Closed again while waiting for the UNSUBACK (destroyed, or timed out): the stream
			// does not wait for the broker any longer.
			this.session.subscriptions().abandon(this);
			leave();
			return;
		}
		boolean connected = this.phase == Phase.CONNECTED && on != null;
		boolean subscribed = connected && this.filter != null && !this.session.filterShared(this, this.filter);
		if (subscribed && this.publisher.inTx()
				&& this.session.subscriptions().unsubscribe(on, this, List.of(this.filter))) {
			// DISCONNECT_ME from onTx: unsubscribe, and leave once the broker confirmed.
			this.phase = Phase.UNSUBSCRIBING;
			this.publisher.discard();
			this.answerTimer = this.session.loop()
				.schedule(this::unsubackTimedOut, this.session.unsubscribeTimeout().toNanos(), TimeUnit.NANOSECONDS);
			return;
		}
		// Otherwise the subscription stays in the broker's session: with clean_start false, what
		// it matches while no connection exists is kept for the stream's return.
		leave();
	}

	@Override
	public void unsubscribed() {
		if (this.phase == Phase.UNSUBSCRIBING) {
			leave();
		}
	}

	// A broker that never answers must not keep the stream (nor, if it is the last, the
	// connection) waiting: the stream leaves, and a late UNSUBACK only frees its packet id.
	private void unsubackTimedOut() {
		if (this.phase == Phase.UNSUBSCRIBING) {
			logger.warn("Stream {} of streamtype '{}': no UNSUBACK for '{}' within {} ms; leaving without it",
					streamId(), streamType(), this.filter, this.session.unsubscribeTimeout().toMillis());
			this.session.subscriptions().abandon(this);
			leave();
		}
	}

	private void cancelAnswerTimer() {
		ScheduledFuture<?> timer = this.answerTimer;
		if (timer != null) {
			timer.cancel(false);
			this.answerTimer = null;
		}
	}

	private void leave() {
		cancelAnswerTimer();
		this.phase = Phase.LEFT;
		// Before detaching, while the connection and the other streams' filters are known.
		this.shadow.end();
		dropHeld();
		this.publisher.discard();
		this.session.detach(this);
		// Left for a policy change, the stream has lost its connection rather than given it up.
		boolean lost = this.link.closingForPolicyChange();
		this.link.eventLoop().execute(() -> this.link.closed(lost));
	}

	/**
	 * Returns whether this stream's streamtype asks for connection timings ({@code perf}).
	 * @return {@code true} when it does
	 */
	boolean wantsPerf() {
		return this.link.policy().perf();
	}

	/**
	 * The network connection ended (the session already forgot this member).
	 * @param wasAccepted whether the broker had accepted the connection
	 * @param cause why it ended
	 * @param perf the connection's timings, delivered first to a {@code perf} streamtype, or
	 * {@code null} when no stream on the connection asked for them
	 */
	void connectionLost(boolean wasAccepted, Throwable cause, byte @Nullable [] perf) {
		Phase was = this.phase;
		this.phase = Phase.LEFT;
		cancelAnswerTimer();
		dropHeld();
		this.publisher.discard();
		this.shadow.connectionLost();
		if (was == Phase.LEFT) {
			return;
		}
		if (perf != null && wantsPerf()) {
			this.link.rx(Unpooled.wrappedBuffer(perf), StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON);
		}
		if (was == Phase.UNSUBSCRIBING) {
			this.link.closed(false);
		}
		else if (wasAccepted) {
			this.link.closed(true);
		}
		else {
			this.link.connectFailed(cause);
		}
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		MqttNetworkConnection on = this.connection;
		return (on != null && this.phase != Phase.LEFT) ? on.peerAddress() : null;
	}

	@Override
	public void setRxPaused(boolean paused) {
		if (this.phase == Phase.LEFT) {
			// Detached already (its stream learns it from a task still queued): a pause kept now
			// would never be lifted, and would stop reading for the streams still on the connection.
			return;
		}
		this.session.setPaused(this, paused);
	}

	@Override
	public void validityConfirmed() {
		MqttNetworkConnection on = this.connection;
		if (on != null) {
			on.confirmed();
		}
	}

}
