package io.securestreams.protocol.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.TxSlot;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protocol details checked against a scriptable fake broker: ordering of CONNECT, birth and
 * SUBSCRIBE, keep-alive and validity pings, resending after reconnects, QoS 2 on both sides,
 * refusals, announced message lengths and credentials.
 */
class MqttProtocolTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final FakeMqttBroker broker = this.resources.closing(new FakeMqttBroker());

	private SecureStreams start(PolicyFragment fragment, SystemBlobs blobs) {
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2).systemBlobs(blobs));
	}

	private SecureStreams start(PolicyFragment fragment) {
		return start(fragment, new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "fake-client"));
	}

	private StreamTypePolicy.Builder device(PolicyFragment fragment) {
		return MqttPolicies.mqtt(fragment, "device", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/up")
			.set(StreamTypeKey.MQTT_QOS, 1);
	}

	/**
	 * Adds an {@code other} streamtype on the device's broker connection, connects a stream of each
	 * and waits until both are connected; returns the device stream. The other stream's messages
	 * show when the shared connection has delivered what was sent before them.
	 */
	private SecureStream connectWithOther(PolicyFragment fragment, MqttRecorder handler, MqttRecorder other) {
		MqttPolicies.mqtt(fragment, "other", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "other/down");
		SecureStreams streams = start(fragment);
		SecureStream stream = streams.create("device", handler);
		stream.connect();
		streams.create("other", other).connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		other.await(StreamState.CONNECTED, 1, WAIT);
		return stream;
	}

	@Test
	void birthIsAcknowledgedBeforeTheStreamSubscribesAndIsConnected() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down")
			.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "dev/status")
			.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "up")
			.set(StreamTypeKey.MQTT_BIRTH_QOS, 1)
			.set(StreamTypeKey.MQTT_BIRTH_RETAIN, true);
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		this.broker.awaitReceived("PUBLISH dev/status", 1, WAIT);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> !handler.states.contains(StreamState.CONNECTED)
					&& this.broker.received("SUBSCRIBE").isEmpty());
		this.broker.reply(MqttMessageType.PUBACK, this.broker.publishId(0));
		handler.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(this.broker.received()).containsExactly(
				"CONNECT fake-client clean=false keepAlive=60 user=null password=null will=null",
				"PUBLISH dev/status qos=1 id=" + this.broker.publishId(0) + " dup=false retain=true payload=up",
				"SUBSCRIBE dev/down");
	}

	/**
	 * A broker that never acknowledges the QoS 1 birth message fails the attempt after the birth
	 * wait (as a missing CONNACK or SUBACK does) instead of holding the stream in CONNECTING while
	 * keep-alive pings keep the connection up; the retry connects once the birth is acknowledged.
	 */
	@Test
	void birthNeverAcknowledgedFailsTheAttemptAndIsRetried() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down")
			.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "dev/status")
			.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "up")
			.set(StreamTypeKey.MQTT_BIRTH_QOS, 1);
		SecureStreams streams = start(fragment);
		((MqttClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.MQTT))
			.birthTimeout(Duration.ofMillis(300));
		MqttRecorder handler = new MqttRecorder();
		try (LogCapture logs = new LogCapture()) {
			streams.create("device", handler).connect();
			this.broker.awaitReceived("PUBLISH dev/status", 1, WAIT);
			handler.await(StreamState.UNREACHABLE, 1, WAIT);
			assertThat(logs.warnings())
				.anyMatch((line) -> line.contains("no PUBACK for the birth message within 300 ms"));
		}
		assertThat(this.broker.received("SUBSCRIBE")).isEmpty();
		this.broker.acknowledgePublishes = true;
		handler.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(this.broker.connections()).isGreaterThanOrEqualTo(2);
		assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "UNREACHABLE", "POLL", "CONNECTING")
			.endsWith("CONNECTED")
			.doesNotContain("DISCONNECTED");
	}

	@Test
	void keepAliveSendsPingRequestsWhileIdle() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_KEEP_ALIVE, 1);
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		this.broker.awaitReceived("PINGREQ", 2, WAIT);
		assertThat(this.broker.connections()).isEqualTo(1);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
	}

	@Test
	void noPingResponseWithinTheKeepAliveClosesAndReconnects() {
		this.broker.answerPings = false;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_KEEP_ALIVE, 1);
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		handler.await(StreamState.CONNECTED, 2, WAIT);
		assertThat(this.broker.connections()).isEqualTo(2);
		assertThat(handler.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "POLL", "CONNECTING",
				"CONNECTED");
	}

	/**
	 * A validity hang-up far longer than the keep-alive must not stretch the keep-alive: once the
	 * broker answered a PINGREQ, the next one is due a keep-alive after the last send again, or a
	 * broker enforcing 1.5 times the keep-alive drops the idle connection.
	 */
	@Test
	void keepAlivePingsContinueAfterAnAnsweredPingWhenTheValidityHangUpIsLonger() {
		PolicyFragment fragment = MqttPolicies.base();
		fragment.retry(new RetryPolicy("longhup", List.of(100), RetryPolicy.CONCEAL_FOREVER, 0, 0, 30));
		device(fragment).set(StreamTypeKey.MQTT_KEEP_ALIVE, 1).set(StreamTypeKey.RETRY, "longhup");
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		long started = System.nanoTime();
		this.broker.awaitReceived("PINGREQ", 3, WAIT);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		assertThat(this.broker.connections()).isEqualTo(1);
	}

	@Test
	void validityPingWithoutAnswerHangsUpAfterSvalidhup() {
		this.broker.answerPings = false;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_KEEP_ALIVE, 0).set(StreamTypeKey.RETRY, "ping");
		MqttRecorder handler = new MqttRecorder();
		long started = System.nanoTime();
		start(fragment).create("device", handler).connect();
		handler.await(StreamState.DISCONNECTED, 1, WAIT);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
		assertThat(this.broker.received("PINGREQ")).hasSize(1);
		assertThat(this.broker.received().get(0)).contains("keepAlive=0");
		handler.await(StreamState.CONNECTED, 2, WAIT);
	}

	@Test
	void unacknowledgedQos1MessageIsResentWithDupWhenTheSessionResumes() {
		this.broker.sessionPresent = true;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = start(fragment).create("device", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		handler.send(stream, "m1");
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		int id = this.broker.publishId(0);
		this.broker.dropAll();
		this.broker.awaitReceived("PUBLISH dev/up", 2, WAIT);
		assertThat(this.broker.received("PUBLISH")).containsExactly(
				"PUBLISH dev/up qos=1 id=" + id + " dup=false retain=false payload=m1",
				"PUBLISH dev/up qos=1 id=" + id + " dup=true retain=false payload=m1");
		handler.await(StreamState.CONNECTED, 2, WAIT);
		this.broker.reply(MqttMessageType.PUBACK, id);
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(handler.stateNames()).containsSubsequence("CONNECTED", "DISCONNECTED", "CONNECTED",
				"QOS_ACK_REMOTE");
		assertThat(handler.count(StreamState.QOS_ACK_REMOTE)).isEqualTo(1);
		assertThat(handler.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

	/**
	 * Connects a QoS 2 device stream to a broker that resumes sessions and sends one message.
	 */
	private void qos2MessageSentOnAResumableSession(MqttRecorder handler) {
		this.broker.sessionPresent = true;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_QOS, 2);
		SecureStream stream = start(fragment).create("device", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		handler.send(stream, "exactly once");
	}

	@Test
	void qos2ReleaseIsResentWhenTheSessionResumes() {
		MqttRecorder handler = new MqttRecorder();
		qos2MessageSentOnAResumableSession(handler);
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		int id = this.broker.publishId(0);
		this.broker.reply(MqttMessageType.PUBREC, id);
		this.broker.awaitReceived("PUBREL", 1, WAIT);
		this.broker.dropAll();
		this.broker.awaitReceived("PUBREL", 2, WAIT);
		assertThat(this.broker.received("PUBLISH")).hasSize(1);
		assertThat(this.broker.received("PUBREL")).containsExactly("PUBREL " + id, "PUBREL " + id);
		handler.await(StreamState.CONNECTED, 2, WAIT);
		this.broker.reply(MqttMessageType.PUBCOMP, id);
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(handler.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

	/**
	 * A QoS 2 message whose PUBREC came on its last allowed send is not failed by the resend cap
	 * when the connection drops before PUBCOMP: the broker holds its id until the PUBREL, which
	 * is sent again after the resume, and the PUBCOMP completes it.
	 */
	@Test
	void qos2ReleasedOnItsLastAllowedSendIsReleasedAgainAndNotFailedByTheResendCap() {
		MqttRecorder handler = new MqttRecorder();
		qos2MessageSentOnAResumableSession(handler);
		for (int sends = 1; sends < MqttOutbox.MAX_SENDS; sends++) {
			this.broker.awaitReceived("PUBLISH dev/up", sends, WAIT);
			this.broker.dropAll();
		}
		this.broker.awaitReceived("PUBLISH dev/up", MqttOutbox.MAX_SENDS, WAIT);
		int id = this.broker.publishId(0);
		this.broker.reply(MqttMessageType.PUBREC, id);
		this.broker.awaitReceived("PUBREL " + id, 1, WAIT);
		this.broker.dropAll();
		this.broker.awaitReceived("PUBREL " + id, 2, WAIT);
		this.broker.reply(MqttMessageType.PUBCOMP, id);
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(this.broker.received("PUBLISH")).hasSize(MqttOutbox.MAX_SENDS)
			.allSatisfy((packet) -> assertThat(packet).contains(" id=" + id + " "));
		assertThat(handler.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

	@Test
	void qos2BirthCutBeforePubcompKeepsItsIdAndIsReleasedAgainWhenTheSessionResumes() {
		this.broker.sessionPresent = true;
		MqttRecorder handler = new MqttRecorder();
		start(qos2Birth()).create("device", handler).connect();
		int first = firstBirthReleased();
		// Cut before PUBCOMP: the broker's session still holds the first birth's id.
		this.broker.dropAll();
		completeSecondBirth(first, true);
		handler.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(handler.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

	@Test
	void qos2BirthOwedWhenTheLastStreamLeavesIsReleasedByTheNextConnection() {
		this.broker.sessionPresent = true;
		SecureStreams streams = start(qos2Birth());
		SecureStream leaving = streams.create("device", new MqttRecorder());
		leaving.connect();
		int first = firstBirthReleased();
		// The only stream goes before PUBCOMP: the connection says DISCONNECT and closes.
		leaving.destroy();
		this.broker.awaitReceived("DISCONNECT", 1, WAIT);
		MqttRecorder next = new MqttRecorder();
		streams.create("device", next).connect();
		completeSecondBirth(first, true);
		next.await(StreamState.CONNECTED, 1, WAIT);
	}

	@Test
	void qos2BirthCutBeforePubcompIsForgottenWhenTheBrokerStartsANewSession() {
		MqttRecorder handler = new MqttRecorder();
		start(qos2Birth()).create("device", handler).connect();
		int first = firstBirthReleased();
		this.broker.dropAll();
		completeSecondBirth(first, false);
		handler.await(StreamState.CONNECTED, 1, WAIT);
		// No session to finish the first exchange in: its PUBREL is not sent again.
		assertThat(this.broker.received("PUBREL " + first)).hasSize(1);
	}

	private PolicyFragment qos2Birth() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_BIRTH_TOPIC, "dev/status")
			.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "up")
			.set(StreamTypeKey.MQTT_BIRTH_QOS, 2);
		return fragment;
	}

	// The first connection's birth gets its PUBREC and the client's PUBREL, but no PUBCOMP.
	private int firstBirthReleased() {
		this.broker.awaitReceived("PUBLISH dev/status", 1, WAIT);
		int first = this.broker.publishId(0);
		this.broker.reply(MqttMessageType.PUBREC, first);
		this.broker.awaitReceived("PUBREL " + first, 1, WAIT);
		return first;
	}

	// The next connection's birth, after (when the session resumed) the first one's PUBREL again.
	private void completeSecondBirth(int first, boolean resumed) {
		this.broker.awaitReceived("PUBLISH dev/status", 2, WAIT);
		int second = this.broker.publishId(1);
		assertThat(second).isNotEqualTo(first);
		if (resumed) {
			this.broker.awaitReceived("PUBREL " + first, 2, WAIT);
			this.broker.reply(MqttMessageType.PUBCOMP, first);
		}
		this.broker.reply(MqttMessageType.PUBREC, second);
		this.broker.awaitReceived("PUBREL " + second, 1, WAIT);
		this.broker.reply(MqttMessageType.PUBCOMP, second);
	}

	@Test
	void lostSessionRepublishesQos1AndFailsQos2ThatMayHaveBeenDelivered() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		MqttPolicies.mqtt(fragment, "exact", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "dev/exact")
			.set(StreamTypeKey.MQTT_QOS, 2);
		SecureStreams streams = start(fragment);
		MqttRecorder once = new MqttRecorder();
		MqttRecorder exact = new MqttRecorder();
		SecureStream onceStream = streams.create("device", once);
		SecureStream exactStream = streams.create("exact", exact);
		onceStream.connect();
		exactStream.connect();
		once.await(StreamState.CONNECTED, 1, WAIT);
		exact.await(StreamState.CONNECTED, 1, WAIT);
		once.send(onceStream, "at least once");
		exact.send(exactStream, "exactly once");
		this.broker.awaitReceived("PUBLISH", 2, WAIT);
		this.broker.dropAll();
		exact.await(StreamState.QOS_NACK_REMOTE, 1, WAIT);
		this.broker.awaitReceived("PUBLISH dev/up", 2, WAIT);
		List<String> republished = this.broker.received("PUBLISH dev/up");
		assertThat(republished.get(1)).contains("dup=false", "payload=at least once");
		assertThat(this.broker.received("PUBLISH dev/exact")).hasSize(1);
		this.broker.reply(MqttMessageType.PUBACK, this.broker.publishId(2));
		once.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(exact.stateNames()).containsSubsequence("DISCONNECTED", "CONNECTED", "QOS_NACK_REMOTE");
		assertThat(exact.count(StreamState.QOS_ACK_REMOTE)).isZero();
		assertThat(once.count(StreamState.QOS_NACK_REMOTE)).isZero();
	}

	@Test
	void inboundQos2MessageIsDeliveredOnceThoughTheBrokerSendsItTwice() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down").set(StreamTypeKey.MQTT_QOS, 2);
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.publish("dev/down", "once only", 2, 7, false);
		this.broker.publish("dev/down", "once only", 2, 7, true);
		this.broker.awaitReceived("PUBREC 7", 2, WAIT);
		this.broker.reply(MqttMessageType.PUBREL, 7);
		this.broker.awaitReceived("PUBCOMP 7", 1, WAIT);
		this.broker.publish("dev/down", "again", 2, 7, false);
		handler.awaitMessages(2, WAIT);
		assertThat(handler.payloads()).containsExactly("once only", "again");
		assertThat(handler.messages)
			.allSatisfy((m) -> assertThat(m.flags()).isEqualTo(StreamFlags.SOM | StreamFlags.EOM));
	}

	/**
	 * A QoS 1 message that arrives before the stream's SUBACK is held until CONNECTED; it is
	 * acknowledged only once delivered, so a connection lost meanwhile leaves it to the broker.
	 */
	@Test
	void heldQos1MessageIsAcknowledgedOnlyAfterItWasDelivered() {
		this.broker.sessionPresent = true;
		this.broker.answerSubscribes = false;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down");
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		this.broker.awaitReceived("SUBSCRIBE", 1, WAIT);
		this.broker.publish("dev/down", "queued", 1, 5, false);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> this.broker.received("PUBACK").isEmpty());
		this.broker.subAck(1);
		handler.awaitMessages(1, WAIT);
		this.broker.awaitReceived("PUBACK 5", 1, WAIT);
		assertThat(handler.payloads()).containsExactly("queued");
	}

	/** Acknowledgements keep the order of arrival even when the older message is held longer. */
	@Test
	void acknowledgementOfADeliveredMessageWaitsBehindAnOlderHeldOne() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down");
		MqttPolicies.mqtt(fragment, "other", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "other/down");
		SecureStreams streams = start(fragment);
		MqttRecorder other = new MqttRecorder();
		streams.create("other", other).connect();
		other.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.answerSubscribes = false;
		MqttRecorder handler = new MqttRecorder();
		streams.create("device", handler).connect();
		this.broker.awaitReceived("SUBSCRIBE dev/down", 1, WAIT);
		this.broker.publish("dev/down", "held", 1, 5, false);
		this.broker.publish("other/down", "at once", 1, 6, false);
		other.awaitMessages(1, WAIT);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> this.broker.received("PUBACK").isEmpty());
		this.broker.subAck(1);
		this.broker.awaitReceived("PUBACK", 2, WAIT);
		assertThat(this.broker.received("PUBACK")).containsExactly("PUBACK 5", "PUBACK 6");
		assertThat(handler.payloads()).containsExactly("held");
	}

	/**
	 * A QoS 2 message held before the SUBACK and lost with its connection is not recorded as
	 * received: the broker's copy sent again after the reconnect is delivered.
	 */
	@Test
	void heldQos2MessageLostWithItsConnectionIsDeliveredWhenTheBrokerSendsItAgain() {
		this.broker.sessionPresent = true;
		this.broker.answerSubscribes = false;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down").set(StreamTypeKey.MQTT_QOS, 2);
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		this.broker.awaitReceived("SUBSCRIBE", 1, WAIT);
		this.broker.publish("dev/down", "exactly", 2, 9, false);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
			.until(() -> this.broker.received("PUBREC").isEmpty());
		this.broker.dropAll();
		this.broker.awaitReceived("SUBSCRIBE", 2, WAIT);
		this.broker.publish("dev/down", "exactly", 2, 9, true);
		this.broker.subAck(2);
		handler.awaitMessages(1, WAIT);
		this.broker.awaitReceived("PUBREC 9", 1, WAIT);
		this.broker.reply(MqttMessageType.PUBREL, 9);
		this.broker.awaitReceived("PUBCOMP 9", 1, WAIT);
		assertThat(handler.payloads()).containsExactly("exactly");
	}

	/**
	 * A QoS 2 message delivered to one stream while a sharing stream holds it (its SUBACK has not
	 * come) gets no PUBREC before the connection drops, so the broker sends it again: the copy
	 * goes only to the stream that did not have it, and the handshake completes once.
	 */
	@Test
	void qos2MessageSentAgainAfterAReconnectReachesOnlyTheStreamsThatDidNotHaveIt() {
		this.broker.sessionPresent = true;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/#").set(StreamTypeKey.MQTT_QOS, 2);
		MqttPolicies.mqtt(fragment, "other", this.broker.port())
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down")
			.set(StreamTypeKey.MQTT_QOS, 2);
		SecureStreams streams = start(fragment);
		MqttRecorder device = new MqttRecorder();
		streams.create("device", device).connect();
		device.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.answerSubscribes = false;
		MqttRecorder other = new MqttRecorder();
		streams.create("other", other).connect();
		this.broker.awaitReceived("SUBSCRIBE dev/down", 1, WAIT);
		this.broker.publish("dev/down", "exactly", 2, 9, false);
		device.awaitMessages(1, WAIT);
		this.broker.answerSubscribes = true;
		this.broker.dropAll();
		device.await(StreamState.CONNECTED, 2, WAIT);
		other.await(StreamState.CONNECTED, 1, WAIT);
		assertThat(this.broker.received("PUBREC")).isEmpty();
		this.broker.publish("dev/down", "exactly", 2, 9, true);
		other.awaitMessages(1, WAIT);
		this.broker.awaitReceived("PUBREC 9", 1, WAIT);
		this.broker.reply(MqttMessageType.PUBREL, 9);
		this.broker.awaitReceived("PUBCOMP 9", 1, WAIT);
		assertThat(device.payloads()).containsExactly("exactly");
		assertThat(other.payloads()).containsExactly("exactly");
		assertThat(this.broker.received("PUBREC")).containsExactly("PUBREC 9");
		// Released: the id is free for a new message, which both streams receive.
		this.broker.publish("dev/down", "next", 2, 9, false);
		device.awaitMessages(2, WAIT);
		other.awaitMessages(2, WAIT);
		assertThat(device.payloads()).containsExactly("exactly", "next");
		assertThat(other.payloads()).containsExactly("exactly", "next");
	}

	@Test
	void disconnectMeFromTxLeavesWithoutAnUnsubackAfterTheTimeoutAndKeepsItsPacketIdUntilTheAnswer() {
		this.broker.answerUnsubscribes = false;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down");
		MqttPolicies.mqtt(fragment, "other", this.broker.port())
			.set(StreamTypeKey.MQTT_TOPIC, "other/up")
			.set(StreamTypeKey.MQTT_QOS, 1);
		SecureStreams streams = start(fragment);
		((MqttClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.MQTT))
			.unsubscribeTimeout(Duration.ofMillis(300));
		MqttRecorder leaving = new MqttRecorder().txResult(StreamResult.DISCONNECT_ME);
		MqttRecorder other = new MqttRecorder();
		SecureStream device = streams.create("device", leaving);
		device.connect();
		SecureStream otherStream = streams.create("other", other);
		otherStream.connect();
		leaving.await(StreamState.CONNECTED, 1, WAIT);
		other.await(StreamState.CONNECTED, 1, WAIT);
		device.requestTx();
		this.broker.awaitReceived("UNSUBSCRIBE dev/down", 1, WAIT);
		// The broker never answers: the stream is not kept waiting for it.
		leaving.await(StreamState.DISCONNECTED, 1, WAIT);
		int unsubscribeId = this.broker.lastUnsubscribeId();
		other.send(otherStream, "after");
		this.broker.awaitReceived("PUBLISH other/up", 1, WAIT);
		assertThat(this.broker.publishId(0)).isNotEqualTo(unsubscribeId);
		// The late answer only frees the id; the shared connection and the other stream go on.
		this.broker.reply(MqttMessageType.UNSUBACK, unsubscribeId);
		other.send(otherStream, "later");
		this.broker.awaitReceived("PUBLISH other/up", 2, WAIT);
		assertThat(other.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(this.broker.received("CONNECT")).hasSize(1);
		otherStream.destroy();
		this.broker.awaitReceived("DISCONNECT", 1, WAIT);
		assertThat(leaving.stateNames()).endsWith("CONNECTED", "DISCONNECTED");
	}

	@Test
	void streamDestroyedWhileWaitingForAnUnsubackLeavesAtOnceAndItsConnectionEnds() {
		this.broker.answerUnsubscribes = false;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down");
		SecureStreams streams = start(fragment);
		// Longer than the test waits: the destruction must not wait for the timeout.
		((MqttClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.MQTT))
			.unsubscribeTimeout(Duration.ofMinutes(1));
		MqttRecorder leaving = new MqttRecorder().txResult(StreamResult.DISCONNECT_ME);
		SecureStream device = streams.create("device", leaving);
		device.connect();
		leaving.await(StreamState.CONNECTED, 1, WAIT);
		device.requestTx();
		this.broker.awaitReceived("UNSUBSCRIBE dev/down", 1, WAIT);
		// Destroyed while waiting for the answer (its destruction never completed before): the
		// stream leaves at once, and the connection, whose last stream it was, ends.
		device.destroy();
		leaving.await(StreamState.DESTROYING, 1, WAIT);
		this.broker.awaitReceived("DISCONNECT", 1, WAIT);
		assertThat(leaving.stateNames()).endsWith("CONNECTED", "DISCONNECTED", "DESTROYING");
		assertThat(leaving.count(StreamState.DISCONNECTED)).isEqualTo(1);
	}

	@Test
	void refusedSubscriptionIsAFailedAttempt() {
		this.broker.subAckCode = 0x80;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "forbidden/#").set(StreamTypeKey.RETRY, "fast");
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, 1, WAIT);
		assertThat(handler.stateNames()).doesNotContain("CONNECTED").contains("UNREACHABLE");
		assertThat(this.broker.received("SUBSCRIBE forbidden/#")).hasSize(4);
	}

	@Test
	void refusedConnectionIsAFailedAttempt() {
		this.broker.connAckCode = MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.RETRY, "once");
		MqttRecorder handler = new MqttRecorder();
		start(fragment).create("device", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, 1, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
	}

	@Test
	void announcedLengthMakesSeveralTxCallsOneMessage() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		byte[] body = new byte[10_000];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) ('a' + i % 26);
		}
		List<Integer> txCalls = new ArrayList<>();
		List<Long> remaining = new ArrayList<>();
		MqttRecorder handler = new MqttRecorder() {
			private int sent;

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				txCalls.add(slot.capacity());
				remaining.add(slot.remaining());
				int length = Math.min(1000, body.length - this.sent);
				slot.buffer().put(body, this.sent, length);
				slot.flags(((this.sent == 0) ? StreamFlags.SOM : 0)
						| ((this.sent + length == body.length) ? StreamFlags.EOM : 0));
				this.sent += length;
				return StreamResult.OK;
			}
		};
		SecureStream stream = start(fragment).create("device", handler);
		stream.requestTxLen(body.length);
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		assertThat(this.broker.received("PUBLISH")).singleElement()
			.asString()
			.endsWith("payload=" + new String(body, StandardCharsets.US_ASCII));
		assertThat(txCalls).hasSize(10).first().isEqualTo(body.length);
		// What each call still owed of the message, not the whole length every time.
		assertThat(remaining).containsExactly(10_000L, 9_000L, 8_000L, 7_000L, 6_000L, 5_000L, 4_000L, 3_000L,
				2_000L, 1_000L);
		this.broker.reply(MqttMessageType.PUBACK, this.broker.publishId(0));
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE");
	}

	/**
	 * A message of announced length that is only partly written when the connection drops is
	 * discarded; its length must go with it, or the next message, sent without a length, is
	 * stretched to the old length over several onTx calls.
	 */
	@Test
	void partlyWrittenAnnouncedMessageDroppedByADisconnectTakesItsLengthWithIt() {
		this.broker.acknowledgePublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		List<Integer> capacities = new CopyOnWriteArrayList<>();
		AtomicInteger calls = new AtomicInteger();
		AtomicBoolean second = new AtomicBoolean();
		MqttRecorder handler = new MqttRecorder() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				int call = calls.incrementAndGet();
				if (second.get()) {
					capacities.add(slot.capacity());
					slot.write("next".getBytes(StandardCharsets.US_ASCII));
				}
				else if (call == 1) {
					// The first 40 bytes of a 100-byte message; the next call writes nothing (pause).
					slot.write(new byte[40]);
				}
				return StreamResult.OK;
			}
		};
		SecureStream stream = start(fragment).create("device", handler);
		stream.requestTxLen(100);
		Awaitility.await().atMost(WAIT).until(() -> calls.get() >= 2);
		handler.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.dropAll();
		handler.await(StreamState.CONNECTED, 2, WAIT);
		second.set(true);
		stream.requestTx();
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
		assertThat(this.broker.received("PUBLISH")).singleElement().asString().endsWith(" payload=next");
		assertThat(capacities).containsExactly(64 * 1024);
	}

	/**
	 * When every packet id is taken, the one a SUBACK frees lets a waiting stream publish again,
	 * as one a PUBACK frees does.
	 */
	@Test
	void packetIdFreedByASubackResumesAStreamWaitingForOne() {
		this.broker.countOnlyPublishes = true;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		MqttPolicies.mqtt(fragment, "other", this.broker.port()).set(StreamTypeKey.MQTT_SUBSCRIBE, "other/down");
		SecureStreams streams = start(fragment);
		// The SUBACK is held until 65,534 messages went out, which on a loaded machine takes longer
		// than the real 10 s wait for it (the attempt would fail and free the id the test is about).
		((MqttClientProtocol) ContextAccess.runtime(streams).clientProtocol(Protocol.MQTT))
			.subscribeTimeout(Duration.ofSeconds(100));
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = streams.create("device", handler);
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.answerSubscribes = false;
		MqttRecorder other = new MqttRecorder();
		streams.create("other", other).connect();
		this.broker.awaitReceived("SUBSCRIBE other/down", 1, WAIT);
		String[] payloads = new String[MqttPacketIds.MAX];
		Arrays.fill(payloads, "m");
		handler.send(stream, payloads);
		Awaitility.await().atMost(Duration.ofSeconds(60))
			.until(() -> this.broker.publishCount() == MqttPacketIds.MAX - 1);
		this.broker.subAck(1);
		other.await(StreamState.CONNECTED, 1, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> this.broker.publishCount() == MqttPacketIds.MAX);
	}

	@Test
	void credentialsComeFromTheSystemBlobsAndTopicsFromMetadata() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.METADATA, MqttPolicies.metadata("dev"))
			.set(StreamTypeKey.MQTT_TOPIC, "d/${dev}/up")
			.set(StreamTypeKey.MQTT_SUBSCRIBE, "d/${dev}/down")
			.set(StreamTypeKey.MQTT_WILL_TOPIC, "d/${dev}/status")
			.set(StreamTypeKey.MQTT_WILL_MESSAGE, "${dev} gone")
			.set(StreamTypeKey.MQTT_BIRTH_TOPIC, "d/${dev}/status")
			.set(StreamTypeKey.MQTT_BIRTH_MESSAGE, "${dev} up");
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.MQTT_CLIENT_ID, "blob-id")
			.set(SystemBlobs.Type.MQTT_USERNAME, "blob-user")
			.set(SystemBlobs.Type.MQTT_PASSWORD, "blob-secret");
		this.broker.acknowledgePublishes = true;
		MqttRecorder handler = new MqttRecorder();
		SecureStream stream = start(fragment, blobs).create("device", handler);
		stream.setMetadata("dev", "d42");
		stream.connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		handler.send(stream, "hi");
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(this.broker.received()).containsExactly(
				"CONNECT blob-id clean=false keepAlive=60 user=blob-user password=blob-secret will=d/d42/status",
				"PUBLISH d/d42/status qos=0 id=-1 dup=false retain=false payload=d42 up",
				"SUBSCRIBE d/d42/down",
				"PUBLISH d/d42/up qos=1 id=" + this.broker.publishId(1) + " dup=false retain=false payload=hi");
	}

	@Test
	void generatedClientIdStaysTheSameAcrossReconnects() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		MqttRecorder handler = new MqttRecorder();
		start(fragment, new SystemBlobs()).create("device", handler).connect();
		handler.await(StreamState.CONNECTED, 1, WAIT);
		this.broker.dropAll();
		handler.await(StreamState.CONNECTED, 2, WAIT);
		List<String> connects = this.broker.received("CONNECT");
		assertThat(connects).hasSize(2);
		assertThat(connects.get(0)).matches("CONNECT ss[0-9a-zA-Z]{20} .*").isEqualTo(connects.get(1));
	}

	@Test
	void outcomeOfAMessageAcknowledgedWhileItsStreamWasAwayIsReportedWhenItReturns() {
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment).set(StreamTypeKey.MQTT_SUBSCRIBE, "dev/down");
		MqttRecorder handler = new MqttRecorder().rxResult(StreamResult.DISCONNECT_ME);
		MqttRecorder other = new MqttRecorder();
		SecureStream stream = connectWithOther(fragment, handler, other);
		handler.send(stream, "pending");
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		this.broker.publish("dev/down", "go away", 0, 0, false);
		handler.await(StreamState.DISCONNECTED, 1, WAIT);
		this.broker.reply(MqttMessageType.PUBACK, this.broker.publishId(0));
		this.broker.publish("other/down", "marker", 0, 0, false);
		other.awaitMessages(1, WAIT);
		assertThat(handler.count(StreamState.QOS_ACK_REMOTE)).isZero();
		stream.connect();
		handler.await(StreamState.QOS_ACK_REMOTE, 1, WAIT);
		assertThat(handler.stateNames()).endsWith("DISCONNECTED", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
		assertThat(this.broker.connections()).isEqualTo(1);
		assertThat(other.stateNames()).doesNotContain("DISCONNECTED");
	}

	@Test
	void unacknowledgedMessageOfADestroyedStreamIsStillCompletedWithTheBroker() {
		this.broker.sessionPresent = true;
		PolicyFragment fragment = MqttPolicies.base();
		device(fragment);
		MqttRecorder handler = new MqttRecorder();
		MqttRecorder other = new MqttRecorder();
		SecureStream stream = connectWithOther(fragment, handler, other);
		handler.send(stream, "orphan");
		this.broker.awaitReceived("PUBLISH dev/up", 1, WAIT);
		int id = this.broker.publishId(0);
		stream.destroy();
		handler.await(StreamState.DESTROYING, 1, WAIT);
		this.broker.dropAll();
		this.broker.awaitReceived("PUBLISH dev/up", 2, WAIT);
		assertThat(this.broker.received("PUBLISH dev/up").get(1)).contains("id=" + id, "dup=true", "payload=orphan");
		other.await(StreamState.CONNECTED, 2, WAIT);
		this.broker.reply(MqttMessageType.PUBACK, id);
		this.broker.publish("other/down", "after the ack", 0, 0, false);
		other.awaitMessages(1, WAIT);
		assertThat(other.count(StreamState.QOS_ACK_REMOTE)).isZero();
		assertThat(handler.stateNames()).endsWith("CONNECTED", "DISCONNECTED", "DESTROYING");
	}

}
