package io.securestreams.proxy.client;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import io.securestreams.testsupport.TransitionGuard;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client side of the serialization protocol (reference §7.3, §7.5), against a proxy the
 * test drives frame by frame.
 */
class ProxiedClientTests extends ScriptedProxyFixture {


	private SecureStreams start(TransitionGuard listener) {
		return proxiedContext(listener);
	}

	private static SsMessage created() {
		return ToClient.CreateResult.ok(0, List.of("minpost"));
	}


	@Test
	void postThroughTheProxyFollowsTheClientSideOfTheProtocol() throws Exception {
		start(this.guard);
		this.proxy.listen();
		byte[] body = new byte[10_000];
		new Random(1).nextBytes(body);
		RecordingHandler handler = new RecordingHandler().send(body, 10_000);
		SecureStream stream = this.streams.create("minpost", handler);
		assertThat(stream.role()).isEqualTo(StreamRole.PROXIED);
		stream.setMetadata("ctype", "text/plain");
		stream.startTimeout(5000);
		stream.requestTxLen(body.length);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		FrameReader.Frame streamType = link.next();
		assertThat(streamType.type()).isEqualTo(0xaa);
		ByteBuffer fields = ByteBuffer.wrap(streamType.body());
		assertThat(fields.get()).isEqualTo((byte) 1);
		assertThat(Integer.toUnsignedLong(fields.getInt())).isEqualTo(ProcessHandle.current().pid() & 0xffffffffL);
		assertThat(fields.getInt()).isEqualTo(500_000_000);
		assertThat(new String(streamType.body(), 9, streamType.body().length - 9, StandardCharsets.UTF_8))
			.isEqualTo("minpost");
		// A pending timeout update goes first, in any state.
		assertThat(link.next().bytes()).containsExactly(0xb0, 0, 4, 0, 0, 0x13, 0x88);
		assertThat(handler.states).as("CREATING waits for CREATE_RESULT").isEmpty();
		link.send(created(), state(StreamState.CREATING));
		handler.await(StreamState.CREATING, WAIT);
		FrameReader.Frame metadata = link.next();
		assertThat(metadata.type()).isEqualTo(0xae);
		assertThat(new String(metadata.body(), StandardCharsets.UTF_8)).isEqualTo("\u0005ctypetext/plain");
		assertThat(link.next().bytes()).containsExactly(0xb1, 0, 4, 0, 0, 0x27, 0x10);
		assertThat(link.next().bytes()).containsExactly(0xab, 0, 0);
		link.send(state(StreamState.POLL), state(StreamState.CONNECTING));
		handler.await(StreamState.CONNECTING, WAIT);
		link.assertQuiet(Duration.ofMillis(200));
		link.send(state(StreamState.CONNECTED));
		ByteArrayOutputStream sent = new ByteArrayOutputStream();
		List<Integer> sizes = new ArrayList<>();
		List<Integer> flags = new ArrayList<>();
		while (sent.size() < body.length) {
			FrameReader.Frame payload = link.next();
			assertThat(payload.type()).isEqualTo(0xad);
			flags.add(ByteBuffer.wrap(payload.body()).getInt());
			sizes.add(payload.body().length - 16);
			sent.write(payload.body(), 16, payload.body().length - 16);
		}
		assertThat(sizes).containsExactly(4061, 4061, 1878);
		assertThat(flags).containsExactly(StreamFlags.SOM, 0, StreamFlags.EOM);
		assertThat(sent.toByteArray()).isEqualTo(body);
		byte[] response = "r".repeat(3000).getBytes(StandardCharsets.US_ASCII);
		link.send(new ToClient.RxMetadata("srv", "java".getBytes(StandardCharsets.UTF_8)));
		link.send(rx(StreamFlags.SOM, response), rx(StreamFlags.EOM, new byte[0]));
		link.send(state(StreamState.QOS_ACK_REMOTE), state(StreamState.DISCONNECTED));
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
		// Received payload is handed over in pieces of at most 1380 bytes, SOM on the first only.
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM, 0, 0, StreamFlags.EOM);
		assertThat(handler.received()).isEqualTo(response);
		assertThat(stream.metadata("srv")).isEqualTo("java");
		// The proxy closes the link: no DISCONNECTED again; a new link 1 s later carries the metadata
		// again, and the timer, which has not expired, with the time it has left.
		link.close();
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		assertThat(Duration.ofNanos(again.acceptedNanos() - link.acceptedNanos()))
			.isGreaterThan(Duration.ofMillis(900));
		assertThat(again.next().type()).isEqualTo(0xaa);
		assertThat(again.next().type()).isEqualTo(0xb0);
		again.send(created(), state(StreamState.CREATING));
		assertThat(again.next().type()).isEqualTo(0xae);
		stream.destroy();
		again.awaitClosed();
		handler.await(StreamState.DESTROYING, WAIT);
		assertThat(handler.stateNames()).endsWith("QOS_ACK_REMOTE", "DISCONNECTED", "DESTROYING");
		this.guard.assertNoViolations();
	}

	@Test
	void unreachableProxyIsRetriedEverySecondWithUpstreamLinkRetry() throws Exception {
		start(this.guard);
		List<Long> acks = new CopyOnWriteArrayList<>();
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.UPSTREAM_LINK_RETRY) {
					acks.add(ack);
				}
				return super.onState(stream, state, ack);
			}
		};
		this.streams.create("minpost", handler).requestTx();
		handler.await(StreamState.UPSTREAM_LINK_RETRY, 2, WAIT);
		assertThat(acks.get(0)).isLessThan(500);
		assertThat(acks.get(1)).isBetween(900L, 5000L);
		this.proxy.listen();
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		link.send(created(), state(StreamState.CREATING));
		handler.await(StreamState.CREATING, WAIT);
		assertThat(link.next().bytes()).as("the requested tx asks for the onward connection")
			.containsExactly(0xab, 0, 0);
		assertThat(handler.stateNames()).last().isEqualTo("CREATING");
		assertThat(handler.stateNames()).allMatch((s) -> s.equals("UPSTREAM_LINK_RETRY") || s.equals("CREATING"));
		this.guard.assertNoViolations();
	}

	// With no link there is nothing for DISCONNECT_ME to close: only DESTROY_ME ends the retries.
	@Test
	void disconnectMeOnUpstreamLinkRetryDoesNotStopTheRetries() throws Exception {
		start(this.guard);
		StreamResult disconnect = StreamResult.DISCONNECT_ME;
		RecordingHandler handler = new RecordingHandler()
			.onState((s, state) -> (state == StreamState.UPSTREAM_LINK_RETRY) ? disconnect : StreamResult.OK);
		this.streams.create("minpost", handler).requestTx();
		handler.await(StreamState.UPSTREAM_LINK_RETRY, 2, WAIT);
		this.proxy.listen();
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		link.send(created(), state(StreamState.CREATING));
		assertThat(link.next().bytes()).containsExactly(0xab, 0, 0);
		this.guard.assertNoViolations();
	}

	@Test
	void disconnectMeOnDisconnectedAfterALostLinkDoesNotStopTheReconnection() throws Exception {
		start(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler().onState(
				(s, state) -> (state == StreamState.DISCONNECTED) ? StreamResult.DISCONNECT_ME : StreamResult.OK);
		ScriptedProxy.Link again = connectedThenLinkDropped(handler);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		this.guard.assertNoViolations();
	}

	@Test
	void destroyMeOnUpstreamLinkRetryStopsTheRetries() throws Exception {
		start(this.guard);
		RecordingHandler handler = new RecordingHandler().onState(
				(s, state) -> (state == StreamState.UPSTREAM_LINK_RETRY) ? StreamResult.DESTROY_ME : StreamResult.OK);
		SecureStream stream = this.streams.create("minpost", handler);
		stream.requestTx();
		stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		this.proxy.listen();
		// Longer than the 1 s between tries.
		Awaitility.await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> this.proxy.acceptNow() == null);
		// No DESTROYING: the proxy never confirmed the creation, so CREATING was not reported either.
		assertThat(handler.stateNames()).containsExactly("UPSTREAM_LINK_RETRY");
	}

	// A 1-byte name with an empty value would make a 2-byte METADATA frame, which every proxy hangs
	// up on; the next link would send it again, for ever.
	@Test
	void metadataThatCannotTravelIsKeptLocallyAndNotSent() throws Exception {
		start(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = this.streams.create("minpost", handler);
			stream.setMetadata("a", "older");
			stream.setMetadata("a", "");
			stream.setMetadata("a", "");
			stream.setMetadata("b", "");
			stream.setMetadata("ctype", "text/plain");
			ScriptedProxy.Link link = this.proxy.accept(WAIT);
			assertThat(link.next().type()).isEqualTo(0xaa);
			// The calls above run on the stream's event loop in their order, but a CREATE_RESULT read
			// there may come between two of them: only once the empty values were taken is the
			// link's first METADATA frame sure to be the one value that can travel.
			assertThat(logs.await("metadata 'a' set to an empty value is not sent to the proxy")).contains("2 bytes");
			assertThat(logs.await("metadata 'b' set to an empty value")).isNotNull();
			link.send(created(), state(StreamState.CREATING));
			FrameReader.Frame metadata = link.next();
			assertThat(metadata.type()).isEqualTo(0xae);
			assertThat(new String(metadata.body(), StandardCharsets.UTF_8)).isEqualTo("\u0005ctypetext/plain");
			link.assertQuiet(Duration.ofMillis(300));
			assertThat(stream.metadata("a")).isEmpty();
			assertThat(logs.messages()).filteredOn((m) -> m.contains("metadata 'a'")).hasSize(1);
			// A value that fits travels again.
			stream.setMetadata("a", "x");
			assertThat(link.next().bytes()).containsExactly(0xae, 0, 3, 1, 'a', 'x');
		}
		this.guard.assertNoViolations();
	}

	@Test
	void failedCreationIsLoggedAndRetriedEverySecond() throws Exception {
		start(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("nope", handler);
			ScriptedProxy.Link first = this.proxy.accept(WAIT);
			assertThat(first.next().type()).isEqualTo(0xaa);
			first.send(SsWire.toBytes(ToClient.CreateResult.FAILED));
			first.awaitClosed();
			assertThat(logs.await("stream creation failed")).contains("nope");
			ScriptedProxy.Link second = this.proxy.accept(WAIT);
			assertThat(Duration.ofNanos(second.acceptedNanos() - first.acceptedNanos()))
				.isGreaterThan(Duration.ofMillis(900));
			assertThat(second.next().type()).isEqualTo(0xaa);
			assertThat(handler.states).isEmpty();
			// Refused again: no second warning (a stream asks once a second for as long as it lives).
			second.send(SsWire.toBytes(ToClient.CreateResult.FAILED));
			second.awaitClosed();
			ScriptedProxy.Link third = this.proxy.accept(WAIT);
			assertThat(third.next().type()).isEqualTo(0xaa);
			third.send(ToClient.CreateResult.ok(0, List.of("nope")), state(StreamState.CREATING));
			handler.await(StreamState.CREATING, WAIT);
			assertThat(logs.await("created at the proxy", "after 2 failed attempts")).contains("nope");
			assertThat(logs.messages()).filteredOn((line) -> line.contains("stream creation failed"))
				.singleElement(InstanceOfAssertFactories.STRING)
				.contains("(1 in a row)");
		}
		this.guard.assertNoViolations();
	}

	/**
	 * Connects a ws stream through the scripted proxy, drops its link once CONNECTED and returns
	 * the new link the client made, its STREAMTYPE read.
	 */
	private ScriptedProxy.Link connectedThenLinkDropped(RecordingHandler handler) throws Exception {
		this.streams.create("ws", handler).connect();
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.next();
		link.send(created(), state(StreamState.CREATING), state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		handler.await(StreamState.CONNECTED, WAIT);
		assertThat(link.next().bytes()).containsExactly(0xab, 0, 0);
		link.close();
		handler.await(StreamState.DISCONNECTED, WAIT);
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		assertThat(again.next().type()).isEqualTo(0xaa);
		return again;
	}

	@Test
	void droppedLinkAfterConnectedReportsDisconnectedAndReconnects() throws Exception {
		start(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		ScriptedProxy.Link again = connectedThenLinkDropped(handler);
		again.send(created(), state(StreamState.CREATING), state(StreamState.CONNECTING));
		handler.await(StreamState.CONNECTING, 2, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"CONNECTING");
		this.guard.assertNoViolations();
	}

	// The new link means a new onward stream at the proxy, without the timer the old one ran.
	@Test
	void aTimeoutArmedBeforeTheLinkDroppedIsArmedAgainWithTheTimeLeft() throws Exception {
		start(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("ws", handler);
		stream.startTimeout(5000);
		stream.connect();
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		assertThat(link.next().bytes()).containsExactly(0xb0, 0, 4, 0, 0, 0x13, 0x88);
		link.send(created(), state(StreamState.CREATING), state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		handler.await(StreamState.CONNECTED, WAIT);
		assertThat(link.next().bytes()).containsExactly(0xab, 0, 0);
		link.close();
		handler.await(StreamState.DISCONNECTED, WAIT);
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		assertThat(again.next().type()).isEqualTo(0xaa);
		FrameReader.Frame update = again.next();
		assertThat(update.type()).isEqualTo(0xb0);
		// At least the 1 s before the link was tried again has gone.
		assertThat(Integer.toUnsignedLong(ByteBuffer.wrap(update.body()).getInt())).isBetween(1L, 4000L);
		this.guard.assertNoViolations();
	}

	@Test
	void aTimeoutThatExpiredOrWasCancelledIsNotSentAgainOnANewLink() throws Exception {
		start(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("ws", handler);
		stream.startTimeout(5000);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		assertThat(link.next().type()).isEqualTo(0xb0);
		link.send(created(), state(StreamState.CREATING), state(StreamState.TIMEOUT));
		handler.await(StreamState.TIMEOUT, WAIT);
		link.close();
		ScriptedProxy.Link second = this.proxy.accept(WAIT);
		assertThat(second.next().type()).isEqualTo(0xaa);
		second.send(created(), state(StreamState.CREATING));
		second.assertQuiet(Duration.ofMillis(300));
		stream.startTimeout(7000);
		assertThat(second.next().bytes()).containsExactly(0xb0, 0, 4, 0, 0, 0x1b, 0x58);
		stream.cancelTimeout();
		assertThat(second.next().bytes()).containsExactly(0xb0, 0, 4, 0xff, 0xff, 0xff, 0xff);
		second.close();
		ScriptedProxy.Link third = this.proxy.accept(WAIT);
		assertThat(third.next().type()).isEqualTo(0xaa);
		third.send(created(), state(StreamState.CREATING));
		third.assertQuiet(Duration.ofMillis(300));
		this.guard.assertNoViolations();
	}

	@Test
	void perfJsonAndCreditUpdatesAreHandled() throws Exception {
		start(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("perf", handler);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.next();
		link.send(created(), state(StreamState.CREATING), new ToClient.RxCredit(65536),
				new ToClient.Perf("{\"dns_us\":1}".getBytes(StandardCharsets.UTF_8)));
		Awaitility.await().atMost(WAIT).until(() -> !handler.rxFlags.isEmpty());
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM | StreamFlags.PERF_JSON);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("{\"dns_us\":1}");
		this.guard.assertNoViolations();
	}

	@Test
	void illegalStateFromTheProxyDestroysTheStream() throws Exception {
		TransitionGuard expectViolation = new TransitionGuard();
		start(expectViolation);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("minpost", handler);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.next();
		link.send(created(), state(StreamState.CREATING), state(StreamState.QOS_ACK_REMOTE));
		handler.await(StreamState.DESTROYING, WAIT);
		link.awaitClosed();
		assertThat(handler.stateNames()).containsExactly("CREATING", "DESTROYING");
		org.assertj.core.api.Assertions.assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(expectViolation::assertNoViolations)
			.withMessageContaining("CREATING -> QOS_ACK_REMOTE");
	}

	@Test
	void brokenFramesFromTheProxyHangUpTheLink() throws Exception {
		start(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("minpost", handler);
			ScriptedProxy.Link link = this.proxy.accept(WAIT);
			link.next();
			link.send(new byte[] { 0x5a, 0, 0 });
			link.awaitClosed();
			assertThat(logs.await("hanging up the proxy link", "reserved frame type TLSNEG_ENCLAVE_SIGN")).isNotNull();
			ScriptedProxy.Link again = this.proxy.accept(WAIT);
			again.next();
			again.send(new ToClient.ConnState(StreamState.CONNECTING.value(), 0));
			again.awaitClosed();
			assertThat(logs.await("CONNSTATE before CREATE_RESULT")).isNotNull();
			assertThat(handler.states).isEmpty();
		}
	}

}
