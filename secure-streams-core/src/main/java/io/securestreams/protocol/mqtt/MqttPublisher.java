package io.securestreams.protocol.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.MqttSettings;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stream's {@code onTx} calls into PUBLISH packets on {@code mqtt_topic} with the
 * streamtype's {@code mqtt_qos} and {@code mqtt_retain}. Without an announced length each
 * {@code onTx} call is one message, whatever its flags. With a length from
 * {@code requestTxLen}, {@code onTx} is called until that many bytes (or an EOM) arrived, and
 * the bytes are published as one message. The topic is expanded with the stream's metadata
 * when the message is published. With {@code aws_iot}, a message to a device-shadow topic goes
 * through {@link MqttShadow}, which subscribes to the responses first.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttPublisher {

	private static final Logger logger = LoggerFactory.getLogger(MqttPublisher.class);

	/** The buffer an {@code onTx} call gets when no length was announced. */
	static final int SLOT_CAPACITY = 64 * 1024;

	/**
	 * The most room one {@code onTx} call of an announced message gets: the message's buffer grows
	 * as it is written, so that an announced length (a 7-byte PAYLOAD_LENGTH_HINT at a proxy, say)
	 * does not hold up to 256 MiB of heap before any of the message exists.
	 */
	static final int ANNOUNCED_SLOT_CAPACITY = 1024 * 1024;

	/** Largest payload: MQTT's remaining-length limit, less room for the topic and packet id. */
	static final int MAX_PAYLOAD = 268_435_455 - 65_539;

	private final MqttSession session;

	private final MqttMember member;

	private final StreamLink link;

	private final MqttShadow shadow;

	private @Nullable ByteBuf partial;

	private long announced = -1;

	/** The {@code txLengthSerial} of {@link #announced}, so that only that length is forgotten. */
	private long announcedSerial;

	private boolean inTx;

	// The handler paused the partial message (an onTx call wrote nothing or returned
	// TX_DONT_SEND): it resumes at the stream's next requestTx, not whenever another event (the
	// socket turning writable, a freed packet id) pumps the connection's streams.
	private boolean partialPaused;

	MqttPublisher(MqttSession session, MqttMember member, StreamLink link, MqttShadow shadow) {
		this.session = session;
		this.member = member;
		this.link = link;
		this.shadow = shadow;
	}

	/** Whether the application's {@code onTx} is running right now. */
	boolean inTx() {
		return this.inTx;
	}

	void pump(MqttNetworkConnection on) {
		MqttSettings mqtt = this.link.policy().mqtt();
		// A shadow request waits for its response subscriptions; messages keep their order.
		while (this.member.isConnected() && on.isWritable() && !this.shadow.isSubscribing()
				&& ((this.partial != null && !this.partialPaused) || this.link.txRequested())) {
			if (mqtt.qos() > 0 && !this.session.packetIds().available()) {
				// Every packet id awaits an acknowledgement; an acknowledgement resumes sending.
				break;
			}
			ByteBuf buffer = this.partial;
			this.partial = null;
			this.partialPaused = false;
			if (buffer == null) {
				this.announced = this.link.txLength();
				this.announcedSerial = this.link.txLengthSerial();
				if (this.announced > MAX_PAYLOAD) {
					this.link.txLengthConsumed(this.announcedSerial);
					this.link.takeTxRequest();
					refuse("requestTxLen(" + this.announced + ") is more than an MQTT message can carry", mqtt);
					continue;
				}
				buffer = (this.announced >= 0)
						? on.alloc().heapBuffer(nextSlot(0), (int) this.announced)
						: on.alloc().heapBuffer(SLOT_CAPACITY, SLOT_CAPACITY);
			}
			if (this.announced >= 0) {
				buffer.ensureWritable(nextSlot(buffer.writerIndex()));
			}
			TxResult result;
			// Kept, as leaving from inside onTx discards the message before this buffer is back.
			boolean announcedMessage = this.announced >= 0;
			this.inTx = true;
			try {
				result = this.link.tx(buffer, (this.announced >= 0) ? this.announced - buffer.writerIndex() : -1);
			}
			finally {
				this.inTx = false;
			}
			if (!this.member.isConnected()) {
				// Left from inside onTx (DISCONNECT_ME): a message of announced length that was
				// started is dropped with its length, as discard() does for one kept between calls.
				if (announcedMessage && buffer.writerIndex() > 0) {
					this.link.txLengthConsumed(this.announcedSerial);
				}
				buffer.release();
				return;
			}
			if (!result.send()) {
				keepOrRelease(buffer);
				break;
			}
			boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM);
			if (this.announced >= 0 && buffer.writerIndex() < this.announced && !eom) {
				this.partial = buffer;
				if (result.length() == 0) {
					// Nothing was written: wait for the next requestTx instead of spinning.
					this.partialPaused = true;
					break;
				}
				continue;
			}
			if (this.announced >= 0) {
				this.link.txLengthConsumed(this.announcedSerial);
				this.announced = -1;
			}
			publish(on, buffer, mqtt);
		}
	}

	// The room the next call of an announced message gets: what is still owed, up to a slot.
	private int nextSlot(int written) {
		return (int) Math.min(this.announced - written, ANNOUNCED_SLOT_CAPACITY);
	}

	private void keepOrRelease(ByteBuf buffer) {
		if (this.announced >= 0 && buffer.writerIndex() > 0) {
			this.partial = buffer;
			this.partialPaused = true;
		}
		else {
			buffer.release();
		}
	}

	private void publish(MqttNetworkConnection on, ByteBuf payload, MqttSettings mqtt) {
		String topic;
		try {
			topic = this.link.metadata().expand(mqtt.topic());
			if (topic == null) {
				throw new IllegalArgumentException("the streamtype has no mqtt_topic to publish to");
			}
			MqttTopics.checkStreamTopic(topic, mqtt.awsIot());
		}
		catch (IllegalArgumentException ex) {
			payload.release();
			// Name the template: the expanded topic alone does not say which setting to fix.
			refuse("mqtt_topic \"" + mqtt.topic() + "\": " + ex.getMessage(), mqtt);
			return;
		}
		if (mqtt.awsIot() && MqttShadow.isRequestTopic(topic)) {
			byte[] bytes = ByteBufUtil.getBytes(payload);
			payload.release();
			if (!this.shadow.request(on, topic, mqtt.qos(),
					() -> send(on, topic, Unpooled.wrappedBuffer(bytes), mqtt))) {
				refuse("no MQTT packet id is free to subscribe to the shadow responses with", mqtt);
			}
			return;
		}
		send(on, topic, payload, mqtt);
	}

	private void send(MqttNetworkConnection on, String topic, ByteBuf payload, MqttSettings mqtt) {
		if (mqtt.qos() == 0) {
			on.sendPublish(MqttPackets.publish(topic, 0, mqtt.retain(), false, 0, payload), null);
			return;
		}
		byte[] bytes = ByteBufUtil.getBytes(payload);
		payload.release();
		if (!this.session.outbox().publish(on, this.link.streamId(), topic, mqtt.qos(), mqtt.retain(), bytes)) {
			refuse("no MQTT packet id is free", mqtt);
		}
	}

	private void refuse(String reason, MqttSettings mqtt) {
		logger.warn("streamtype '{}': message not published: {}", this.link.policy().name(), reason);
		if (mqtt.qos() > 0) {
			this.member.reportOutcome(StreamState.QOS_NACK_REMOTE);
		}
	}

	/** Drops a message that was being assembled (the stream left or the connection ended). */
	void discard() {
		if (this.partial != null) {
			this.partial.release();
			this.partial = null;
			// The announced length described the dropped message; left behind it would make the
			// next message, even one sent without a length, wait for that many bytes.
			if (this.announced >= 0) {
				this.link.txLengthConsumed(this.announcedSerial);
			}
		}
		this.announced = -1;
		this.partialPaused = false;
	}

}
