package io.securestreams.protocol.mqtt;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS IoT device-shadow exchanges of one stream of an {@code aws_iot} streamtype. The
 * shadow service answers a message published to {@code $aws/things/<thing>/shadow/<op>} or
 * {@code $aws/things/<thing>/shadow/name/<shadow>/<op>} on that topic plus {@code /accepted} or
 * {@code /rejected}, and only to clients already subscribed then. So before such a message is
 * published the stream subscribes to both (one SUBSCRIBE with {@code mqtt_qos}), and the message
 * goes out once the SUBACK arrived (or the SUBACK wait of the stream's own subscription passed
 * without it). The responses are delivered to the stream like the messages
 * of its {@code mqtt_subscribe}; a response to each message published in the exchange, or
 * {@link #RESPONSE_TIMEOUT} after the latest one without it, ends the exchange with an
 * UNSUBSCRIBE of the response topics that no other stream of the session still needs. One
 * exchange runs at a time, and only on the connection it started on.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttShadow {

	private static final Logger logger = LoggerFactory.getLogger(MqttShadow.class);

	/** How long a response is waited for after the message was published. */
	static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

	private static final List<String> SHADOW_TOPICS = List.of("$aws/things/+/shadow/+",
			"$aws/things/+/shadow/name/+/+");

	private final MqttSession session;

	private final MqttMember member;

	private final Duration timeout;

	private @Nullable Exchange current;

	MqttShadow(MqttSession session, MqttMember member, Duration timeout) {
		this.session = session;
		this.member = member;
		this.timeout = timeout;
	}

	/**
	 * Returns whether a publish topic is a device-shadow request topic.
	 * @param topic an expanded {@code mqtt_topic}
	 * @return {@code true} when the shadow service answers messages on it
	 */
	static boolean isRequestTopic(String topic) {
		return SHADOW_TOPICS.stream().anyMatch((filter) -> MqttTopics.matches(filter, topic));
	}

	/** Whether a message waits for the SUBACK of its response topics; nothing else is sent meanwhile. */
	boolean isSubscribing() {
		return this.current != null && this.current.publish != null;
	}

	/**
	 * Publishes a message to a shadow request topic once its responses are subscribed.
	 * @param on the connection
	 * @param topic the request topic
	 * @param qos {@code mqtt_qos}, for the subscription and for reporting a message that is lost
	 * @param publish sends the message: now when the responses are already subscribed, else once
	 * the SUBACK arrived
	 * @return {@code false} when no packet id was free to subscribe with; nothing was done
	 */
	boolean request(MqttNetworkConnection on, String topic, int qos, Runnable publish) {
		Exchange running = this.current;
		if (running != null && running.publish == null && running.topic.equals(topic)) {
			// The responses are subscribed already: wait for the answer to this message instead.
			publish.run();
			running.published();
			return true;
		}
		end();
		Exchange next = new Exchange(topic, qos, publish);
		if (!this.session.subscriptions().subscribe(on, next, next.filters, qos)) {
			return false;
		}
		this.current = next;
		next.awaitSubAck();
		return true;
	}

	/**
	 * Whether {@code topic} is a response topic of the running exchange: messages on it are for
	 * this stream, and the broker must keep the subscription to it.
	 */
	boolean isResponseTopic(String topic) {
		return this.current != null && this.current.filters.contains(topic);
	}

	/** A message on {@code topic} was delivered to the stream: a response ends the exchange. */
	void delivered(String topic) {
		Exchange running = this.current;
		// Only an answer to a published message counts (not, say, a retained one before it), and
		// the exchange lasts until each message published in it got its answer.
		if (running != null && running.publish == null && running.filters.contains(topic)
				&& --running.unanswered <= 0) {
			end();
		}
	}

	/**
	 * Ends the running exchange, if any: unsubscribes from the response topics no other
	 * subscription of the session needs. A message still waiting for the SUBACK is not sent.
	 */
	void end() {
		Exchange ending = this.current;
		if (ending == null) {
			return;
		}
		this.current = null;
		ending.stop();
		List<String> unused = ending.filters.stream()
			.filter((filter) -> !filter.equals(this.member.filter()) && !this.session.filterShared(this.member, filter))
			.toList();
		MqttNetworkConnection on = this.session.connection();
		if (!unused.isEmpty() && on != null && on.isReady()) {
			// Without a free packet id the filters stay until the session ends; nothing else is lost.
			this.session.subscriptions().unsubscribe(on, ending, unused);
		}
	}

	/** The connection ended: the broker forgets nothing for us to unsubscribe from, nor will it answer. */
	void connectionLost() {
		Exchange ending = this.current;
		this.current = null;
		if (ending != null) {
			ending.stop();
		}
	}

	private void timedOut(Exchange exchange) {
		if (exchange == this.current) {
			logger.warn("streamtype '{}': shadow response timeout: nothing on {}/accepted or /rejected within {} ms",
					this.member.streamType(), exchange.topic, this.timeout.toMillis());
			end();
		}
	}

	/** One request topic whose responses are subscribed. */
	private final class Exchange implements MqttSubscriptions.Answer {

		final String topic;

		final List<String> filters;

		final int qos;

		/** Sends the message; {@code null} once the SUBACK arrived. */
		@Nullable Runnable publish;

		// Bounds the wait for the SUBACK, then for the responses.
		private @Nullable ScheduledFuture<?> timer;

		/** Messages published in this exchange whose response has not arrived. */
		int unanswered;

		Exchange(String topic, int qos, Runnable publish) {
			this.topic = topic;
			this.filters = List.of(topic + "/accepted", topic + "/rejected");
			this.qos = qos;
			this.publish = publish;
		}

		/**
		 * Bounds the wait for the SUBACK as for a stream's own subscription: a broker that never
		 * answers would otherwise hold this and every later message of the stream for as long as
		 * the connection lives.
		 */
		void awaitSubAck() {
			long nanos = MqttShadow.this.session.subscribeTimeout().toNanos();
			this.timer = MqttShadow.this.session.loop().schedule(this::subAckTimedOut, nanos, TimeUnit.NANOSECONDS);
		}

		private void subAckTimedOut() {
			this.timer = null;
			if (MqttShadow.this.current != this || this.publish == null) {
				return;
			}
			logger.warn("streamtype '{}': no SUBACK for {} within {} ms; publishing anyway",
					MqttShadow.this.member.streamType(), this.filters,
					MqttShadow.this.session.subscribeTimeout().toMillis());
			// A late SUBACK only frees the packet id.
			MqttShadow.this.session.subscriptions().abandon(this);
			send();
		}

		@Override
		public void subscribed(List<Integer> granted) {
			if (MqttShadow.this.current != this || this.publish == null) {
				return;
			}
			if (granted.size() != this.filters.size() || granted.stream().anyMatch((code) -> code >= 0x80)) {
				// The update itself may still succeed; only its answer cannot be delivered.
				logger.warn("streamtype '{}': the broker refused a subscription to {} (granted {}); publishing anyway",
						MqttShadow.this.member.streamType(), this.filters, granted);
			}
			send();
		}

		private void send() {
			Runnable pending = this.publish;
			this.publish = null;
			if (pending != null) {
				pending.run();
				published();
				MqttShadow.this.member.requestWrite();
			}
		}

		@Override
		public void unsubscribed() {
			// The exchange ended when the UNSUBSCRIBE was sent; nothing waits for the answer.
		}

		/** A message went out: its response is waited for from now. */
		void published() {
			this.unanswered++;
			if (this.timer != null) {
				this.timer.cancel(false);
			}
			this.timer = MqttShadow.this.session.loop()
				.schedule(() -> timedOut(this), MqttShadow.this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}

		void stop() {
			if (this.timer != null) {
				this.timer.cancel(false);
				this.timer = null;
			}
			Runnable unsent = this.publish;
			this.publish = null;
			if (unsent != null && this.qos > 0) {
				// The message never left; tell the stream as for any message the broker did not take.
				MqttShadow.this.member.reportOutcome(StreamState.QOS_NACK_REMOTE);
			}
		}

	}

}
