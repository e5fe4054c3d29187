package io.securestreams.smd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyException;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Streams of the built-in {@code _lws_smd} streamtype in a direct context: connected at
 * creation, the bus's messages of their classes as rx, their tx published to the others.
 */
class SmdStreamTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final List<SmdMessage> onTheBus = new CopyOnWriteArrayList<>();

	private SecureStreams start() {
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(TestPolicies.base().build()).eventLoopThreads(2));
		streams.smd().subscribe(SmdClass.ALL, Runnable::run, this.onTheBus::add);
		return streams;
	}

	private static SmdMessage message(long smdClass, String text) {
		return new SmdMessage(smdClass, 0, text.getBytes(StandardCharsets.UTF_8));
	}

	/** The one message a handler received (each rx is a whole message, SOM and EOM). */
	private static String onlyText(RecordingHandler handler) {
		assertThat(handler.rxFlags).hasSize(1);
		return SmdMessage.decode(ByteBuffer.wrap(handler.received())).text();
	}

	@Test
	void connectsAtCreationAndReceivesTheMessagesOfItsClassesWithTheirHeader() {
		SecureStreams streams = start();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.createSmd(SmdClass.NETWORK, handler);
		handler.await(StreamState.CONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		assertThat(stream.streamType()).isEqualTo("_lws_smd");
		assertThat(streams.smd().publish(SmdClass.SYSTEM_STATE, "{\"state\":\"OPERATIONAL\"}")).isEqualTo(1);
		assertThat(streams.smd().publish(SmdClass.NETWORK, "{\"n\":1}")).isEqualTo(2);
		await().atMost(WAIT).until(() -> handler.rxFlags.size() == 1);
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		SmdMessage received = SmdMessage.decode(ByteBuffer.wrap(handler.received()));
		assertThat(received.smdClass()).isEqualTo(SmdClass.NETWORK);
		assertThat(received.text()).isEqualTo("{\"n\":1}");
		assertThat(received.timestampMicros()).isPositive();
	}

	@Test
	void whatAStreamSendsReachesTheOthersStampedAndItselfAsInLibwebsockets() {
		SecureStreams streams = start();
		RecordingHandler sender = new RecordingHandler();
		RecordingHandler other = new RecordingHandler();
		SecureStream sending = streams.createSmd(SmdClass.NETWORK, sender);
		streams.createSmd(SmdClass.NETWORK, other);
		sender.await(StreamState.CONNECTED, WAIT);
		other.await(StreamState.CONNECTED, WAIT);
		long before = SmdBus.nowMicros();
		sender.send(message(SmdClass.NETWORK, "ping").encode(), 1000);
		sending.requestTx();
		await().atMost(WAIT).until(() -> other.rxFlags.size() == 1 && this.onTheBus.size() == 1);
		assertThat(onlyText(other)).isEqualTo("ping");
		assertThat(this.onTheBus.get(0).timestampMicros()).isGreaterThanOrEqualTo(before);
		// Its mask has the class, so its own message comes back, as libwebsockets' bus hands it.
		await().atMost(WAIT).until(() -> sender.rxFlags.size() == 1);
		assertThat(onlyText(sender)).isEqualTo("ping");
	}

	@Test
	void whatIsNoMessageIsNotSentAndSaysWhy() {
		SecureStreams streams = start();
		RecordingHandler sender = new RecordingHandler();
		SecureStream sending = streams.createSmd(0, sender);
		sender.await(StreamState.CONNECTED, WAIT);
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.smd")) {
			sender.send(new byte[5], 1000);
			sending.requestTx();
			assertThat(logs.await("not sent", "got 5 bytes")).contains("_lws_smd");
		}
		streams.smd().publish(SmdClass.NETWORK, "marker");
		assertThat(this.onTheBus).extracting(SmdMessage::text).containsExactly("marker");
	}

	@Test
	void createdByNameItHasNoClassesAndStillSends() {
		SecureStreams streams = start();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("_lws_smd", handler);
		handler.await(StreamState.CONNECTED, WAIT);
		// Only the test's own subscriber takes it: the stream's mask is empty.
		assertThat(streams.smd().publish(SmdClass.NETWORK, "to everyone")).isEqualTo(1);
		handler.send(message(SmdClass.user(3), "mine").encode(), 1000);
		stream.requestTx();
		await().atMost(WAIT).until(() -> this.onTheBus.size() == 2);
		assertThat(this.onTheBus.get(1).smdClass()).isEqualTo(SmdClass.user(3));
		assertThat(handler.received()).isEmpty();
	}

	@Test
	void eachPolicyTheContextSetsIsAnnouncedAndARefusedOneIsNot() {
		SecureStreams streams = start();
		RecordingHandler listening = new RecordingHandler();
		streams.createSmd(SmdClass.SYSTEM_STATE, listening);
		listening.await(StreamState.CONNECTED, WAIT);
		long before = System.currentTimeMillis() / 1000;
		streams.applyOverlay("extra", "{\"s\": [{\"extra\": {\"endpoint\": \"127.0.0.1\", \"port\": 9, "
				+ "\"protocol\": \"h1\", \"http_method\": \"GET\", \"http_url\": \"/\"}}]}");
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> streams.applyOverlay("bad", "{\"s\": [{\"extra\": {\"port\": \"x\"}}]}"));
		streams.resetOverlays();
		assertThat(this.onTheBus).hasSize(2).allSatisfy((message) -> {
			assertThat(message.smdClass()).isEqualTo(SmdClass.SYSTEM_STATE);
			assertThat(message.text()).startsWith("{\"policy\":\"updated\",\"ts\":");
			long ts = Long.parseLong(message.text().replaceAll("\\D", ""));
			assertThat(ts).isBetween(before, before + 60);
		});
		// The stream has no policy entry: the policy changes leave it connected, and it heard them.
		await().atMost(WAIT).until(() -> listening.rxFlags.size() == 2);
		assertThat(listening.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
	}

	@Test
	void aMaskBeyondThe32BitsOfLibwebsocketsIsRefused() {
		SecureStreams streams = start();
		assertThatIllegalArgumentException().isThrownBy(() -> streams.createSmd(1L << 32, new RecordingHandler()))
			.withMessageContaining("32 bits");
	}

	@Test
	void destroyMeFromDisconnectedDestroysTheStream() {
		SecureStreams streams = start();
		RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
			if (state == StreamState.CONNECTED) {
				return StreamResult.DISCONNECT_ME;
			}
			return (state == StreamState.DISCONNECTED) ? StreamResult.DESTROY_ME : StreamResult.OK;
		});
		SecureStream stream = streams.createSmd(SmdClass.NETWORK, handler);
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(stream.whenDestroyed().toCompletableFuture()).succeedsWithin(WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"DESTROYING");
		assertThat(streams.streams()).isEmpty();
	}

	@Test
	void txDontSendFromStateOrRxUnsubscribesAsDisconnectMe() {
		SecureStreams streams = start();
		RecordingHandler fromState = new RecordingHandler().onState((s, state) -> (state == StreamState.CONNECTED)
				? StreamResult.TX_DONT_SEND : StreamResult.OK);
		streams.createSmd(SmdClass.NETWORK, fromState);
		fromState.await(StreamState.DISCONNECTED, WAIT);
		RecordingHandler fromRx = new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, java.nio.ByteBuffer payload, int flags) {
				super.onRx(stream, payload, flags);
				return StreamResult.TX_DONT_SEND;
			}
		};
		streams.createSmd(SmdClass.NETWORK, fromRx);
		fromRx.await(StreamState.CONNECTED, WAIT);
		streams.smd().publish(SmdClass.NETWORK, "{\"up\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
		fromRx.await(StreamState.DISCONNECTED, WAIT);
		assertThat(fromRx.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		assertThat(fromState.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
	}

	@Test
	void destroyingTheStreamEndsItsSubscription() {
		SecureStreams streams = start();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.createSmd(SmdClass.ALL, handler);
		handler.await(StreamState.CONNECTED, WAIT);
		assertThat(streams.smd().subscriptions()).isEqualTo(2);
		stream.destroy();
		handler.await(StreamState.DESTROYING, WAIT);
		await().atMost(WAIT).until(() -> streams.smd().subscriptions() == 1);
	}

}
