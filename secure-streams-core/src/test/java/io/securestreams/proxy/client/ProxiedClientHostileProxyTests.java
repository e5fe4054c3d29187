package io.securestreams.proxy.client;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxied client against a proxy that misbehaves (reference §7, §1.2): each fault costs the
 * one link it came on, is named in a log line, and leaves the context's other streams alone.
 */
class ProxiedClientHostileProxyTests extends ScriptedProxyFixture {

	private static final String LOGGER = "io.securestreams.proxy.client";


	private void start() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
	}

	private static SsMessage created(String streamType) {
		return ToClient.CreateResult.ok(0, List.of(streamType));
	}


	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/** Takes the next link and its STREAMTYPE frame, leaving the answer to the test. */
	private ScriptedProxy.Link acceptStreamType() throws Exception {
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.next();
		return link;
	}

	/**
	 * Opens the stream "bad" for the test to misbehave on, and the well-behaved stream "good",
	 * which the proxy creates at once.
	 */
	private Map<String, ScriptedProxy.Link> openBadAndGood(RecordingHandler bad, RecordingHandler good)
			throws Exception {
		this.streams.create("bad", bad);
		this.streams.create("good", good).connect();
		Map<String, ScriptedProxy.Link> links = this.proxy.acceptStreams(WAIT, "bad", "good");
		links.get("good").send(created("good"), state(StreamState.CREATING));
		return links;
	}

	/** Takes the well-behaved stream, created, through a whole transaction. */
	private static void serveGood(ScriptedProxy.Link link, RecordingHandler handler) throws Exception {
		assertThat(link.next().bytes()).as("ONWARD_CONNECT").containsExactly(0xab, 0, 0);
		link.send(state(StreamState.CONNECTING), state(StreamState.CONNECTED),
				rx(StreamFlags.SOM | StreamFlags.EOM, ascii("fine")), state(StreamState.QOS_ACK_REMOTE),
				state(StreamState.DISCONNECTED));
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
		assertThat(handler.received()).isEqualTo(ascii("fine"));
	}

	/** A link the client hangs up after a fault, and the next link it makes. */
	private ScriptedProxy.Link awaitHangUpAndNextLink(ScriptedProxy.Link link) throws Exception {
		link.awaitClosed();
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		assertThat(again.next().type()).as("STREAMTYPE again").isEqualTo(0xaa);
		return again;
	}

	@Test
	void proxyThatNeverAnswersStreamTypeIsHungUpAfterThreeSecondsAndRetried() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler bad = new RecordingHandler();
			RecordingHandler good = new RecordingHandler();
			Map<String, ScriptedProxy.Link> links = openBadAndGood(bad, good);
			ScriptedProxy.Link silent = links.get("bad");
			serveGood(links.get("good"), good);
			silent.awaitClosed();
			long waited = System.nanoTime() - silent.acceptedNanos();
			assertThat(Duration.ofNanos(waited)).isGreaterThan(Duration.ofMillis(2900));
			assertThat(logs.await("hanging up the proxy link", "no CREATE_RESULT within 3000 ms")).contains("bad");
			ScriptedProxy.Link again = this.proxy.accept(WAIT);
			assertThat(Duration.ofNanos(again.acceptedNanos() - silent.acceptedNanos()))
				.isGreaterThan(Duration.ofMillis(3900));
			assertThat(again.next().type()).isEqualTo(0xaa);
			// Silent again: hung up and retried as before, without a second warning (a stream asks for as
			// long as it lives).
			again.awaitClosed();
			ScriptedProxy.Link third = this.proxy.accept(WAIT);
			assertThat(third.next().type()).isEqualTo(0xaa);
			assertThat(bad.states).as("nothing reached the handler while the proxy was silent").isEmpty();
			third.send(created("bad"), state(StreamState.CREATING));
			bad.await(StreamState.CREATING, WAIT);
			assertThat(bad.stateNames()).containsExactly("CREATING");
			assertThat(logs.await("created at the proxy", "after 2 failed attempts")).contains("bad");
			assertThat(logs.messages()).filteredOn((line) -> line.contains("no CREATE_RESULT"))
				.singleElement(InstanceOfAssertFactories.STRING)
				.contains("(1 in a row)");
		}
		this.guard.assertNoViolations();
	}

	/**
	 * CONNECTED then POLL from the proxy is legal in the proxied client's table, but DISCONNECTED
	 * may not follow POLL: neither losing the link nor destroying the stream then reports one.
	 */
	@Test
	void pollAfterConnectedOwesNoDisconnected() throws Exception {
		start();
		RecordingHandler bad = new RecordingHandler();
		SecureStream badStream = this.streams.create("bad", bad);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING),
				state(StreamState.CONNECTED), state(StreamState.POLL));
		bad.await(StreamState.POLL, WAIT);
		link.close();
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		again.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING),
				state(StreamState.CONNECTED), state(StreamState.POLL));
		bad.await(StreamState.POLL, 2, WAIT);
		badStream.destroy();
		bad.await(StreamState.DESTROYING, WAIT);
		assertThat(bad.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "POLL", "CONNECTING",
				"CONNECTED", "POLL", "DESTROYING");
		this.guard.assertNoViolations();
	}

	@Test
	void secondCreateResultHangsUpAndTheNextLinkDoesNotRepeatCreating() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler bad = new RecordingHandler();
			RecordingHandler good = new RecordingHandler();
			Map<String, ScriptedProxy.Link> links = openBadAndGood(bad, good);
			ScriptedProxy.Link link = links.get("bad");
			link.send(created("bad"), state(StreamState.CREATING), created("bad"));
			ScriptedProxy.Link again = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "CREATE_RESULT in state LOCAL_CONNECTED"))
				.contains("bad");
			serveGood(links.get("good"), good);
			again.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING));
			bad.await(StreamState.CONNECTING, WAIT);
			assertThat(bad.stateNames()).containsExactly("CREATING", "CONNECTING");
		}
		this.guard.assertNoViolations();
	}

	@Test
	void truncatedOrOversizedCreateResultHangsUp() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("bad", handler);
			ScriptedProxy.Link link = acceptStreamType();
			// A refusal first, so that the rejected lists below follow a failed creation.
			link.send(SsWire.toBytes(ToClient.CreateResult.FAILED));
			link = awaitHangUpAndNextLink(link);
			// Result and three of the four client_buflen bytes.
			link.send(new byte[] { 0x56, 0, 4, 0, 0, 0, 0 });
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "bad length 4 for a CREATE_RESULT frame")).isNotNull();
			link.send(new ToClient.CreateResult(0, 0, ",bad,r1,r2,r3"));
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("CREATE_RESULT lists too many streamtypes", ",bad,r1,r2,r3")).isNotNull();
			link.send(new ToClient.CreateResult(0, 0, ",bad," + "r".repeat(130)));
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.messages().stream().filter((m) -> m.contains("too many streamtypes"))).hasSize(2);
			// A failure after a truncated one: logged, closed, retried as ever.
			link.send(SsWire.toBytes(ToClient.CreateResult.FAILED));
			awaitHangUpAndNextLink(link);
			assertThat(logs.await("stream creation failed at the proxy")).contains("bad");
			assertThat(handler.states).isEmpty();
			assertThat(logs.messages()).noneMatch((message) -> message.contains("created at the proxy"));
		}
		this.guard.assertNoViolations();
	}

	@Test
	void rxPayloadBeforeCreateResultHangsUpAndBeforeConnectedIsDeliveredAsLibwebsocketsDoes() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("bad", handler);
			ScriptedProxy.Link link = acceptStreamType();
			link.send(rx(StreamFlags.SOM | StreamFlags.EOM, ascii("early")));
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "RX_PAYLOAD before CREATE_RESULT")).isNotNull();
			assertThat(handler.received()).isEmpty();
			// The C client takes payload in LOCAL_CONNECTED too, before any CONNECTED.
			link.send(created("bad"), state(StreamState.CREATING), rx(StreamFlags.SOM | StreamFlags.EOM, ascii("x")));
			Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 1);
			assertThat(handler.stateNames()).containsExactly("CREATING");
		}
		this.guard.assertNoViolations();
	}

	@Test
	void largestRxPayloadFrameIsDeliveredInPiecesOfAtMost1380Bytes() throws Exception {
		start();
		RecordingHandler handler = new RecordingHandler();
		this.streams.create("bad", handler);
		ScriptedProxy.Link link = acceptStreamType();
		byte[] payload = new byte[SsWire.MAX_BODY - 16];
		new Random(7).nextBytes(payload);
		link.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING),
				state(StreamState.CONNECTED), rx(StreamFlags.SOM | StreamFlags.EOM, payload));
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length == payload.length);
		assertThat(handler.received()).isEqualTo(payload);
		assertThat(handler.rxFlags).hasSize((payload.length + 1379) / 1380);
		assertThat(handler.rxFlags.get(0)).isEqualTo(StreamFlags.SOM);
		assertThat(handler.rxFlags.subList(1, handler.rxFlags.size() - 1)).containsOnly(0);
		assertThat(handler.rxFlags.get(handler.rxFlags.size() - 1)).isEqualTo(StreamFlags.EOM);
		link.assertQuiet(Duration.ofMillis(200));
		this.guard.assertNoViolations();
	}

	@Test
	void metadataFromTheProxyIsBoundedByTheFrameAndBadNamesHangUp() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = this.streams.create("bad", handler);
			ScriptedProxy.Link link = acceptStreamType();
			// The client has no policy, so it cannot tell which names the streamtype declares:
			// like the C client it keeps any name (the proxy checks what it sends).
			byte[] largest = new byte[SsWire.MAX_BODY - 1 - 30];
			Arrays.fill(largest, (byte) 'v');
			String longest = "n".repeat(30);
			link.send(created("bad"), state(StreamState.CREATING), new ToClient.RxMetadata("undeclared", ascii("u")),
					new ToClient.RxMetadata(longest, largest));
			Awaitility.await().atMost(WAIT).until(() -> stream.metadataBytes(longest) != null);
			assertThat(stream.metadata("undeclared")).isEqualTo("u");
			assertThat(stream.metadataBytes(longest)).isEqualTo(largest);
			// A 31-byte name (the C client hangs up at 31 too).
			ByteArrayOutputStream frame = new ByteArrayOutputStream();
			frame.writeBytes(new byte[] { 0x59, 0, 33, 31 });
			frame.writeBytes(ascii("m".repeat(31)));
			frame.write('v');
			link.send(frame.toByteArray());
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "metadata name of 31 bytes")).isNotNull();
			link.send(created("bad"), state(StreamState.CREATING));
			// A name longer than the frame.
			link.send(new byte[] { 0x59, 0, 4, 20, 'a', 'b', 'c' });
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("metadata name of 20 bytes overruns")).isNotNull();
			link.send(created("bad"), state(StreamState.CREATING));
			// An empty name.
			link.send(new byte[] { 0x59, 0, 3, 0, 'a', 'b' });
			awaitHangUpAndNextLink(link);
			assertThat(logs.await("metadata name of 0 bytes")).isNotNull();
			assertThat(handler.stateNames()).containsExactly("CREATING");
		}
		this.guard.assertNoViolations();
	}

	/**
	 * Without a policy the client cannot refuse undeclared names, so it bounds how many it keeps:
	 * a proxy sending ever new names is hung up at the first one past the bound, a new value for a
	 * kept name is still taken.
	 */
	@Test
	void metadataNamesFromTheProxyAreBoundedInNumber() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler handler = new RecordingHandler();
			SecureStream stream = this.streams.create("bad", handler);
			ScriptedProxy.Link link = acceptStreamType();
			link.send(created("bad"), state(StreamState.CREATING));
			for (int i = 0; i < ProxiedStream.MAX_METADATA_NAMES; i++) {
				link.send(new ToClient.RxMetadata("n" + i, ascii("v")));
			}
			link.send(new ToClient.RxMetadata("n0", ascii("again")));
			Awaitility.await().atMost(WAIT).until(() -> "again".equals(stream.metadata("n0")));
			link.send(new ToClient.RxMetadata("one-too-many", ascii("v")));
			awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "at most " + ProxiedStream.MAX_METADATA_NAMES))
				.contains("one-too-many");
			assertThat(stream.metadata("one-too-many")).isNull();
		}
		this.guard.assertNoViolations();
	}

	@Test
	void connStateWithoutAStateValueHangsUp() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler bad = new RecordingHandler();
			RecordingHandler good = new RecordingHandler();
			Map<String, ScriptedProxy.Link> links = openBadAndGood(bad, good);
			ScriptedProxy.Link link = links.get("bad");
			link.send(created("bad"), state(StreamState.CREATING), new ToClient.ConnState(500, 0));
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "unknown state 500")).contains("bad");
			link.send(created("bad"), new ToClient.ConnState(0, 0));
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("unknown state 0")).isNotNull();
			// Four state bytes, as a negative number.
			link.send(created("bad"));
			link.send(new byte[] { 0x57, 0, 8, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0 });
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("unknown state -1")).isNotNull();
			serveGood(links.get("good"), good);
			// A user state passes and does not count as the previous state; CREATING and a second
			// CONNECTED are swallowed, as in the C client.
			link.send(created("bad"), state(StreamState.CREATING), new ToClient.ConnState(1001, 7),
					state(StreamState.CREATING), state(StreamState.CONNECTING), state(StreamState.CONNECTED),
					state(StreamState.CONNECTED), state(StreamState.EVENT_WAIT_CANCELLED),
					state(StreamState.DISCONNECTED));
			bad.await(StreamState.DISCONNECTED, WAIT);
			assertThat(bad.stateNames()).containsExactly("CREATING", "USER_STATE_1001", "CONNECTING", "CONNECTED",
					"EVENT_WAIT_CANCELLED", "DISCONNECTED");
		}
		this.guard.assertNoViolations();
	}

	@Test
	void stateTheProxiedClientTableForbidsDestroysOnlyThatStream() throws Exception {
		start();
		RecordingHandler bad = new RecordingHandler();
		RecordingHandler good = new RecordingHandler();
		Map<String, ScriptedProxy.Link> links = openBadAndGood(bad, good);
		ScriptedProxy.Link link = links.get("bad");
		// UPSTREAM_LINK_RETRY is the client's own state: from the proxy the table forbids it.
		link.send(created("bad"), state(StreamState.CREATING), state(StreamState.UPSTREAM_LINK_RETRY),
				rx(StreamFlags.SOM | StreamFlags.EOM, ascii("after")));
		bad.await(StreamState.DESTROYING, WAIT);
		link.awaitClosed();
		serveGood(links.get("good"), good);
		assertThat(bad.stateNames()).containsExactly("CREATING", "DESTROYING");
		assertThat(bad.received()).isEmpty();
		assertThat(this.proxy.acceptNow()).as("a destroyed stream does not reconnect").isNull();
		org.assertj.core.api.Assertions.assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(this.guard::assertNoViolations)
			.withMessageContaining("bad#")
			.withMessageContaining("CREATING -> UPSTREAM_LINK_RETRY")
			.withMessageNotContaining("good#");
	}

	@Test
	void destroyingFromTheProxyHangsUpTheLinkInsteadOfEndingTheHandlersStream() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler bad = new RecordingHandler();
			RecordingHandler good = new RecordingHandler();
			Map<String, ScriptedProxy.Link> links = openBadAndGood(bad, good);
			ScriptedProxy.Link link = links.get("bad");
			link.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING),
					state(StreamState.CONNECTED), state(StreamState.DESTROYING),
					rx(StreamFlags.SOM | StreamFlags.EOM, ascii("after")), state(StreamState.CONNECTED));
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "DESTROYING")).contains("bad");
			bad.await(StreamState.DISCONNECTED, WAIT);
			serveGood(links.get("good"), good);
			link.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING));
			bad.await(StreamState.CONNECTING, 2, WAIT);
			assertThat(bad.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
					"CONNECTING");
			assertThat(bad.received()).isEmpty();
		}
		this.guard.assertNoViolations();
	}

	@Test
	void txCreditThatOverflowsOrFloodsChangesNothing() throws Exception {
		start();
		RecordingHandler handler = new RecordingHandler().send(ascii("body"), 1000);
		SecureStream stream = this.streams.create("bad", handler);
		ScriptedProxy.Link link = acceptStreamType();
		link.send(created("bad"), state(StreamState.CREATING), new ToClient.RxCredit(Integer.MAX_VALUE),
				new ToClient.RxCredit(Integer.MAX_VALUE), new ToClient.RxCredit(Integer.MIN_VALUE),
				new ToClient.RxCredit(-1));
		ByteArrayOutputStream flood = new ByteArrayOutputStream();
		byte[] one = SsWire.toBytes(new ToClient.RxCredit(Integer.MAX_VALUE));
		for (int i = 0; i < 20_000; i++) {
			flood.writeBytes(one);
		}
		link.send(flood.toByteArray());
		stream.requestTx();
		assertThat(link.next().bytes()).containsExactly(0xab, 0, 0);
		link.send(state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		FrameReader.Frame payload = link.next();
		assertThat(payload.type()).isEqualTo(0xad);
		assertThat(new String(payload.body(), 16, payload.body().length - 16, StandardCharsets.US_ASCII))
			.isEqualTo("body");
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		this.guard.assertNoViolations();
	}

	@Test
	void framesTheClientNeverExpectsHangUp() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler bad = new RecordingHandler();
			RecordingHandler good = new RecordingHandler();
			Map<String, ScriptedProxy.Link> links = openBadAndGood(bad, good);
			ScriptedProxy.Link link = links.get("bad");
			link.send(created("bad"), state(StreamState.CREATING), new ToClient.RxMetadata("m", ascii("v")));
			// A STREAMTYPE from the proxy.
			link.send(new byte[] { (byte) 0xaa, 0, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 'x' });
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("hanging up the proxy link", "STREAMTYPE (0xaa) does not travel from the proxy"))
				.contains("bad");
			link.send(created("bad")).send(new byte[] { (byte) 0xab, 0, 0 });
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("ONWARD_CONNECT (0xab) does not travel from the proxy")).isNotNull();
			link.send(created("bad")).send(new byte[] { 0x42, 0, 0 });
			link = awaitHangUpAndNextLink(link);
			assertThat(logs.await("unknown frame type 0x42 from the proxy")).isNotNull();
			serveGood(links.get("good"), good);
			link.send(created("bad"), state(StreamState.CONNECTING));
			bad.await(StreamState.CONNECTING, WAIT);
			assertThat(bad.stateNames()).containsExactly("CREATING", "CONNECTING");
		}
		this.guard.assertNoViolations();
	}

	@Test
	void linkClosedInTheMiddleOfAFrameIsLoggedAndNothingOfTheFrameIsDelivered() throws Exception {
		start();
		try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("bad", handler);
			ScriptedProxy.Link link = acceptStreamType();
			link.send(created("bad"), state(StreamState.CREATING), state(StreamState.CONNECTING),
					state(StreamState.CONNECTED), rx(StreamFlags.SOM, ascii("whole")));
			handler.await(StreamState.CONNECTED, WAIT);
			// An RX_PAYLOAD that announces 1016 body bytes, of which 20 come before the close.
			byte[] partial = new byte[3 + 20];
			partial[0] = 0x55;
			partial[1] = (byte) (1016 >> 8);
			partial[2] = (byte) (1016 & 0xff);
			link.send(partial);
			Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 5);
			link.close();
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(logs.await("the proxy closed the link", "RX_PAYLOAD", "20 of 1016")).contains("bad");
			ScriptedProxy.Link again = this.proxy.accept(WAIT);
			assertThat(again.next().type()).isEqualTo(0xaa);
			assertThat(handler.received()).isEqualTo(ascii("whole"));
			assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
		}
		this.guard.assertNoViolations();
	}

	@Test
	void linkClosedWhileTheClientIsSendingReportsDisconnectedAndSendsNothingTwice() throws Exception {
		start();
		// More than the socket and the channel buffer hold, so that some is still unsent at the close.
		byte[] body = new byte[2_000_000];
		new Random(3).nextBytes(body);
		RecordingHandler bad = new RecordingHandler().send(body, SsWire.MAX_TX_PAYLOAD);
		RecordingHandler good = new RecordingHandler();
		SecureStream stream = this.streams.create("bad", bad);
		this.streams.create("good", good).connect();
		stream.requestTxLen(body.length);
		Map<String, ScriptedProxy.Link> links = this.proxy.acceptStreams(WAIT, "bad", "good");
		links.get("good").send(created("good"), state(StreamState.CREATING));
		ScriptedProxy.Link link = links.get("bad");
		link.send(created("bad"), state(StreamState.CREATING));
		assertThat(link.next().type()).as("PAYLOAD_LENGTH_HINT").isEqualTo(0xb1);
		assertThat(link.next().type()).as("ONWARD_CONNECT").isEqualTo(0xab);
		link.send(state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		ByteArrayOutputStream first = new ByteArrayOutputStream();
		for (int i = 0; i < 3; i++) {
			FrameReader.Frame frame = link.next();
			assertThat(frame.type()).isEqualTo(0xad);
			first.write(frame.body(), 16, frame.body().length - 16);
		}
		// Half an RX_PAYLOAD, then the proxy goes while the client still has payload to send.
		link.send(new byte[] { 0x55, 0, 100, 0, 0, 0, 1 });
		link.close();
		bad.await(StreamState.DISCONNECTED, WAIT);
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		assertThat(again.next().type()).isEqualTo(0xaa);
		serveGood(links.get("good"), good);
		again.send(created("bad"), state(StreamState.CREATING));
		// The application asks again; the body goes on from where the handler was, not from the start.
		stream.requestTx();
		assertThat(again.next().bytes()).containsExactly(0xab, 0, 0);
		again.send(state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		ByteArrayOutputStream second = new ByteArrayOutputStream();
		int lastFlags = 0;
		while ((lastFlags & StreamFlags.EOM) == 0) {
			FrameReader.Frame frame = again.next();
			assertThat(frame.type()).isEqualTo(0xad);
			lastFlags = ByteBuffer.wrap(frame.body()).getInt();
			assertThat(lastFlags & StreamFlags.SOM).isZero();
			second.write(frame.body(), 16, frame.body().length - 16);
		}
		byte[] rest = second.toByteArray();
		assertThat(first.size() + rest.length).isLessThanOrEqualTo(body.length);
		assertThat(rest).isEqualTo(Arrays.copyOfRange(body, body.length - rest.length, body.length));
		assertThat(bad.received()).isEmpty();
		assertThat(bad.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
				"CONNECTING", "CONNECTED");
		this.guard.assertNoViolations();
	}

}
