package io.securestreams.protocol.mqtt;

import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brokers that break MQTT 3.1.1 on the wire: malformed packets, packets out of order, answers
 * of the wrong kind. Each is cut off with a log line naming the fault (or, where harmless,
 * ignored), the stream goes through legal states and recovers, and nothing is delivered that
 * the broker did not validly send.
 */
class MqttHostileBrokerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams streams;

	private SecureStream device(int port, String filter, MqttRecorder handler) {
		return device(port, filter, 1, handler);
	}

	private SecureStream device(int port, String filter, int qos, MqttRecorder handler) {
		PolicyFragment fragment = MqttPolicies.base();
		MqttPolicies.mqtt(fragment, "device", port)
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, filter)
			.set(StreamTypeKey.MQTT_QOS, qos)
			.set(StreamTypeKey.METADATA, MqttPolicies.metadata("topic"));
		this.streams = this.resources.start(SecureStreams.builder(fragment.build())
			.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "hostile-client")));
		SecureStream stream = this.streams.create("device", handler);
		stream.connect();
		return stream;
	}

	/** Takes the stream's next connection and accepts its CONNECT (session present or not). */
	private static RawMqttPeer.Connection connAcked(RawMqttPeer peer, boolean sessionPresent) throws Exception {
		RawMqttPeer.Connection connection = peer.accept(WAIT);
		connection.readType(1, WAIT);
		connection.write(RawMqttPeer.connAck(sessionPresent, 0));
		return connection;
	}

	/** The packet id of a QoS 1 or 2 PUBLISH read by {@link RawMqttPeer.Connection#read}. */
	private static int publishId(byte[] publish) {
		int topicLength = ((publish[1] & 0xff) << 8) | (publish[2] & 0xff);
		return ((publish[3 + topicLength] & 0xff) << 8) | (publish[4 + topicLength] & 0xff);
	}

	/** Answers CONNECT and the SUBSCRIBE that follows it (granting QoS 1). */
	private static void accept(RawMqttPeer.Connection connection) throws Exception {
		connection.readType(1, WAIT);
		connection.write(RawMqttPeer.connAck(false, 0));
		byte[] subscribe = connection.readType(8, WAIT);
		connection.write(new byte[] { (byte) 0x90, 3, subscribe[1], subscribe[2], 1 });
	}

	/**
	 * Takes the stream's next connection, answers its CONNECT and SUBSCRIBE, and waits for the
	 * stream to be CONNECTED for the given time.
	 */
	private static RawMqttPeer.Connection connected(RawMqttPeer peer, MqttRecorder handler, int times)
			throws Exception {
		RawMqttPeer.Connection connection = peer.accept(WAIT);
		accept(connection);
		handler.await(StreamState.CONNECTED, times, WAIT);
		return connection;
	}

	/** Sends the packets and expects the client to close the connection over them. */
	private static void assertClientCloses(RawMqttPeer.Connection connection, byte[]... packets) throws Exception {
		try {
			connection.write(packets);
		}
		catch (SocketException ex) {
			// The client closed over the first packets while the later ones were being written.
		}
		assertThat(connection.closedWithin(WAIT)).as("the client closes the connection").isTrue();
	}

	private static void assertLogged(LogCapture logs, String fault) {
		assertThat(logs.contains(fault)).as("a log line names the fault: " + logs.messages()).isTrue();
	}

	private static byte[] topic(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * MQTT 3.1.1 section 1.5.3: a packet with ill-formed UTF-8 (here the topic of a PUBLISH)
	 * must make the receiver close the connection; Netty's decoder replaces the bad bytes with
	 * U+FFFD, which must not be delivered as if the broker had sent that topic.
	 */
	@Test
	void publishWithInvalidUtf8TopicClosesTheConnection() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			assertClientCloses(first, RawMqttPeer.publish(new byte[] { 't', '/', (byte) 0xff }, 0, 0, "bad"),
					RawMqttPeer.publish(new byte[] { 't', '/', (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, 0, 0, "bad"),
					RawMqttPeer.publish(topic("t/ok"), 0, 0, "after"));
			handler.await(StreamState.DISCONNECTED, 1, WAIT);
			assertThat(handler.payloads()).doesNotContain("bad");
			assertLogged(logs, "UTF-8");
			connected(peer, handler, 2);
		}
	}

	/**
	 * A second CONNACK, or a packet only clients send (here PINGREQ), is a protocol violation:
	 * the connection is closed with a log line naming it, and the stream reconnects.
	 */
	@Test
	void secondConnAckOrAClientOnlyPacketClosesTheConnection() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			assertClientCloses(first, RawMqttPeer.connAck(false, 0));
			handler.await(StreamState.DISCONNECTED, 1, WAIT);
			RawMqttPeer.Connection second = connected(peer, handler, 2);
			assertClientCloses(second, new byte[] { (byte) 0xC0, 0 });
			handler.await(StreamState.DISCONNECTED, 2, WAIT);
			assertLogged(logs, "a second CONNACK");
			assertLogged(logs, "PINGREQ, which only a client may send");
			connected(peer, handler, 3);
		}
	}

	/**
	 * MQTT 3.1.1 section 3.2.2.2: a client that asked for a clean session holds no session state
	 * and closes the connection when the broker claims to have kept one; the attempt fails.
	 */
	@Test
	void sessionPresentAfterACleanSessionRequestFailsTheAttempt() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			PolicyFragment fragment = MqttPolicies.base();
			MqttPolicies.mqtt(fragment, "device", peer.port())
				.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
				.set(StreamTypeKey.MQTT_CLEAN_START, true);
			this.resources.start(SecureStreams.builder(fragment.build())
				.systemBlobs(new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "clean-client")))
				.create("device", handler)
				.connect();
			RawMqttPeer.Connection first = peer.accept(WAIT);
			first.readType(1, WAIT);
			assertClientCloses(first, RawMqttPeer.connAck(true, 0));
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
			assertLogged(logs, "kept a session although a clean session was asked for");
			RawMqttPeer.Connection second = peer.accept(WAIT);
			second.readType(1, WAIT);
			second.write(RawMqttPeer.connAck(false, 0));
			handler.await(StreamState.CONNECTED, 1, WAIT);
		}
	}

	/** MQTT 3.1.1 section 4.7.3: a topic name is at least one character and holds no NUL. */
	@Test
	void publishWithAnEmptyOrNulTopicClosesTheConnection() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "#", handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			assertClientCloses(first, RawMqttPeer.publish(new byte[0], 1, 7, "bad"));
			RawMqttPeer.Connection second = connected(peer, handler, 2);
			assertClientCloses(second, RawMqttPeer.publish(new byte[] { 'a', 0, 'b' }, 0, 0, "bad"));
			assertThat(handler.payloads()).doesNotContain("bad");
		}
	}

	/**
	 * MQTT 3.1.1 section 4.7.1: wildcards belong in topic filters only, so a PUBLISH whose topic
	 * name holds {@code +} or {@code #} is a protocol violation: the connection is closed with a
	 * log line naming it, nothing of it is delivered or acknowledged (a filter would match the
	 * wildcard as a literal), and the stream reconnects. Netty's decoder refuses such a topic
	 * name, so the packet arrives as a malformed one; this keeps that so.
	 */
	@Test
	void publishWithAWildcardInItsTopicClosesTheConnection() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "#", handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			assertClientCloses(first, RawMqttPeer.publish(topic("t/+"), 1, 7, "bad"),
					RawMqttPeer.publish(topic("t/ok"), 0, 0, "after"));
			handler.await(StreamState.DISCONNECTED, 1, WAIT);
			RawMqttPeer.Connection second = connected(peer, handler, 2);
			assertClientCloses(second, RawMqttPeer.publish(topic("t/#"), 0, 0, "bad"));
			handler.await(StreamState.DISCONNECTED, 2, WAIT);
			assertThat(handler.payloads()).isEmpty();
			assertLogged(logs, "malformed MQTT packet");
			assertLogged(logs, "t/+ (contains wildcards)");
			assertLogged(logs, "t/# (contains wildcards)");
			connected(peer, handler, 3);
		}
	}

	/**
	 * MQTT 3.1.1 section 3.2: the broker's first packet is CONNACK. libwebsockets closes a
	 * connection whose broker sends anything else first; a PUBLISH sent before CONNACK must not
	 * be delivered (nor acknowledged), and the attempt fails.
	 */
	@Test
	void packetBeforeConnAckFailsTheAttempt() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = peer.accept(WAIT);
			first.readType(1, WAIT);
			assertClientCloses(first, RawMqttPeer.publish(topic("t/early"), 1, 5, "early"),
					RawMqttPeer.connAck(false, 0));
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertLogged(logs, "CONNACK");
			connected(peer, handler, 1);
			assertThat(handler.payloads()).doesNotContain("early");
		}
	}

	/**
	 * MQTT 3.1.1 section 3.2.2.3 defines CONNACK return codes 0 to 5 only; Netty's decoder
	 * rejects code 6 as a malformed packet. The attempt fails like any other failed connection:
	 * UNREACHABLE, the usual "connection failed" line naming the malformed packet (not just a
	 * closed channel), then a retry by backoff that a valid CONNACK completes.
	 */
	@Test
	void connAckWithAnUndefinedReturnCodeFailsTheAttemptNamingIt() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = peer.accept(WAIT);
			first.readType(1, WAIT);
			assertClientCloses(first, RawMqttPeer.connAck(false, 6));
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(logs.messages())
				.anySatisfy((line) -> assertThat(line).contains("connection failed")
					.contains("malformed MQTT packet")));
			connected(peer, handler, 1);
		}
	}

	/**
	 * An UNSUBACK carrying the packet id of a pending SUBSCRIBE is not its answer: the stream
	 * must still become CONNECTED when the real SUBACK comes (or recover by reconnecting),
	 * not wait forever.
	 */
	@Test
	void answerOfTheWrongKindDoesNotStrandTheSubscription() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = connAcked(peer, false);
			byte[] subscribe = first.readType(8, WAIT);
			int id = RawMqttPeer.Connection.id(subscribe);
			first.write(RawMqttPeer.withId(0xb0, id), new byte[] { (byte) 0x90, 3, subscribe[1], subscribe[2], 1 });
			Awaitility.await().atMost(WAIT).until(() -> {
				if (handler.count(StreamState.CONNECTED) > 0) {
					return true;
				}
				RawMqttPeer.Connection again = peer.poll(Duration.ofMillis(10));
				if (again != null) {
					accept(again);
				}
				return false;
			});
		}
	}

	/**
	 * A second PUBACK for a message already acknowledged reports nothing more; acknowledgements
	 * and a SUBACK (even one with a code Netty's decoder does not know) for ids nothing awaits
	 * are ignored without closing the connection.
	 */
	@Test
	void duplicateAndUnknownAcknowledgementsAreIgnored() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer()) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			handler.send(stream, "one");
			int id = publishId(first.readType(3, WAIT));
			first.write(RawMqttPeer.withId(0x40, id), RawMqttPeer.withId(0x40, id), RawMqttPeer.withId(0x40, 999),
					RawMqttPeer.withId(0x70, id), RawMqttPeer.withId(0x50, 998), RawMqttPeer.withId(0x62, 997),
					new byte[] { (byte) 0x90, 3, 0x03, (byte) 0xe6, 0x41 });
			// PUBREC of an unknown id gets its PUBREL, PUBREL its PUBCOMP.
			first.readType(6, WAIT);
			first.readType(7, WAIT);
			handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
			Awaitility.await().during(Duration.ofMillis(300)).atMost(WAIT)
				.until(() -> handler.count(StreamState.QOS_ACK_REMOTE) == 1);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		}
	}

	/** A broker that accepts and hangs up at once, again and again, is retried by backoff only. */
	@Test
	void brokerThatHangsUpRightAfterConnAckIsRetriedByBackoff() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			long previous = 0;
			for (int i = 0; i < 5; i++) {
				RawMqttPeer.Connection connection = peer.accept(WAIT);
				long now = System.nanoTime();
				if (i > 0) {
					assertThat(Duration.ofNanos(now - previous)).isGreaterThan(Duration.ofMillis(90));
				}
				previous = now;
				connection.readType(1, WAIT);
				connection.write(RawMqttPeer.connAck(false, 0));
				connection.readType(8, WAIT);
				connection.close();
			}
			assertThat(handler.states).doesNotContain(StreamState.CONNECTED);
			assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "UNREACHABLE", "POLL", "CONNECTING",
					"UNREACHABLE");
		}
	}

	/** A connection cut in the middle of a PUBLISH delivers nothing of it. */
	@Test
	void connectionCutInsideAPacketDeliversNothingOfIt() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			byte[] whole = RawMqttPeer.publish(topic("t/cut"), 1, 3, "x".repeat(1000));
			first.write(java.util.Arrays.copyOf(whole, 500));
			first.socket.setSoLinger(true, 0);
			first.close();
			handler.await(StreamState.DISCONNECTED, 1, WAIT);
			connected(peer, handler, 2);
			assertThat(handler.messages).isEmpty();
		}
	}

	/**
	 * MQTT 3.1.1 section 3.9.3: a SUBACK holds one return code per topic filter of its
	 * SUBSCRIBE, each 0, 1, 2 or 0x80. One with more codes than filters, or with another value,
	 * closes the connection with a log line naming the fault, and the stream subscribes again.
	 */
	@Test
	void subAckWithTheWrongNumberOfReturnCodesOrABadCodeClosesTheConnection() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			RawMqttPeer.Connection first = connAcked(peer, false);
			byte[] subscribe = first.readType(8, WAIT);
			assertClientCloses(first, new byte[] { (byte) 0x90, 4, subscribe[1], subscribe[2], 1, 1 });
			assertLogged(logs, "holds 2 return codes for 1 topic filters");
			RawMqttPeer.Connection second = connAcked(peer, false);
			subscribe = second.readType(8, WAIT);
			assertClientCloses(second, new byte[] { (byte) 0x90, 3, subscribe[1], subscribe[2], 0x41 });
			assertLogged(logs, "holds a return code that is none of 0, 1, 2 and 0x80");
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
			connected(peer, handler, 1);
		}
	}

	/**
	 * MQTT 3.1.1 section 4.3.3: PUBCOMP answers PUBREL, which follows PUBREC. A PUBCOMP for a
	 * QoS 2 message the broker never acknowledged receiving closes the connection instead of
	 * reporting QOS_ACK_REMOTE; after the session resumes, the message completes once.
	 */
	@Test
	void pubCompBeforePubRecClosesTheConnectionAndTheMessageCompletesAfterTheResume() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			SecureStream stream = device(peer.port(), "t/+", 2, handler);
			RawMqttPeer.Connection first = connected(peer, handler, 1);
			handler.send(stream, "once");
			int id = publishId(first.readType(3, WAIT));
			assertClientCloses(first, RawMqttPeer.withId(0x70, id));
			assertLogged(logs, "PUBCOMP for packet id " + id + " before its PUBREC");
			handler.await(StreamState.DISCONNECTED, 1, WAIT);
			assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE");
			RawMqttPeer.Connection second = connAcked(peer, true);
			byte[] again = null;
			boolean subscribed = false;
			while (again == null || !subscribed) {
				byte[] packet = second.read(WAIT);
				assertThat(packet).as("a packet before the client closes").isNotNull();
				if ((packet[0] & 0xf0) == 0x80) {
					second.write(new byte[] { (byte) 0x90, 3, packet[1], packet[2], 2 });
					subscribed = true;
				}
				else if ((packet[0] & 0xf0) == 0x30) {
					again = packet;
				}
			}
			assertThat(again[0] & 0x08).as("the resent PUBLISH carries DUP").isEqualTo(0x08);
			second.write(RawMqttPeer.withId(0x50, id));
			second.readType(6, WAIT);
			second.write(RawMqttPeer.withId(0x70, id));
			handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
			Awaitility.await().during(Duration.ofMillis(300)).atMost(WAIT)
				.until(() -> handler.count(StreamState.QOS_ACK_REMOTE) == 1);
		}
	}

	/**
	 * A broker that takes the SUBSCRIBE and never answers it: the stream's attempt fails after the
	 * SUBACK wait (libwebsockets would wait as long as the connection lives) and is retried by
	 * backoff; the connection, which served only this stream, ends with it.
	 */
	@Test
	void aSubscribeNeverAnsweredFailsTheAttemptAndIsRetried() throws Exception {
		try (RawMqttPeer peer = new RawMqttPeer(); LogCapture logs = new LogCapture()) {
			MqttRecorder handler = new MqttRecorder();
			device(peer.port(), "t/+", handler);
			((MqttClientProtocol) ContextAccess.runtime(this.streams).clientProtocol(Protocol.MQTT))
				.subscribeTimeout(Duration.ofMillis(300));
			RawMqttPeer.Connection first = connAcked(peer, false);
			first.readType(8, WAIT);
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertLogged(logs, "no SUBACK for 't/+' within 300 ms");
			connected(peer, handler, 1);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "CONNECTED");
		}
	}

}
