package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 servers written frame by frame that answer a request ({@code /bad}) in ways a conforming
 * server never does. Requests for {@code /good} on the same connection get "hello". The bad
 * transaction ends without a result and in legal states; a stream error leaves the connection
 * serving the good one.
 */
class H2HostileServerTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	// Closes the servers with their accepted connections; the client contexts close after this.
	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	private final List<Long> errorsReceived = new CopyOnWriteArrayList<>();

	private final List<Http2Settings> clientSettings = new CopyOnWriteArrayList<>();

	private ProtocolLimits limits = ProtocolLimits.DEFAULTS;

	private SecureStreams streams;

	/**
	 * The client announces {@link ProtocolLimits#maxHttpHeaderSize()} as its header list limit and
	 * takes a response head up to it; beyond it the stream fails, the connection goes on.
	 */
	@Test
	void theHeaderListLimitIsTheContextsMaxHttpHeaderSize() throws Exception {
		this.limits = ProtocolLimits.DEFAULTS.withMaxHttpHeaderSize(64 * 1024);
		Http2Headers big = new DefaultHttp2Headers().status("200");
		for (int i = 0; i < 30; i++) {
			big.add("x-h" + i, "h".repeat(1000));
		}
		RecordingHandler within = runBad(headThenHello(big));
		assertThat(new String(within.received(), StandardCharsets.US_ASCII)).isEqualTo("hello");
		assertThat(within.states).contains(StreamState.QOS_ACK_REMOTE);
		assertThat(this.clientSettings).extracting(Http2Settings::maxHeaderListSize).containsExactly(64L * 1024);
	}

	/**
	 * A server that never answers a stream is given the context's response timeout, then the
	 * stream (not the connection) is reset and the attempt fails as a server reset would.
	 */
	@Test
	void aStreamNeverAnsweredIsResetAfterTheResponseTimeout() throws Exception {
		this.limits = ProtocolLimits.DEFAULTS.withResponseTimeout(Duration.ofMillis(300));
		RecordingHandler bad = runBad((w, ctx, id) -> {
		});
		assertNoResult(bad);
		assertThat(bad.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.logs.contains("no response from")).as(this.logs.messages().toString()).isTrue();
		Awaitility.await().atMost(WAIT).until(() -> this.errorsReceived.contains(Http2Error.CANCEL.code()));
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void anInterimAnswerThenSilenceIsResetAfterTheResponseTimeout() throws Exception {
		// Before, the 103 ended the wait for good: the stream was held as long as the connection.
		this.limits = ProtocolLimits.DEFAULTS.withResponseTimeout(Duration.ofMillis(300));
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("103"), 0, false, ctx.newPromise());
			ctx.flush();
		});
		assertNoResult(bad);
		assertThat(this.logs.contains("no response from")).as(this.logs.messages().toString()).isTrue();
		assertGoodStillServedOnTheSameConnection();
	}

	/**
	 * A head just beyond the limit (about 18.6 KB as HPACK counts it) is a stream error; Netty
	 * makes one beyond 1.25 times the limit a connection error.
	 */
	@Test
	void aResponseHeadBeyondTheHeaderListLimitFailsTheStream() throws Exception {
		Http2Headers big = new DefaultHttp2Headers().status("200");
		for (int i = 0; i < 18; i++) {
			big.add("x-h" + i, "h".repeat(1000));
		}
		RecordingHandler bad = runBad(headThenHello(big));
		assertThat(bad.received()).isEmpty();
		assertNoResult(bad);
		assertThat(this.clientSettings).extracting(Http2Settings::maxHeaderListSize).containsExactly(16L * 1024);
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void anInvalidStatusIsAStreamError() throws Exception {
		assertAMalformedHeadIsAStreamError(new DefaultHttp2Headers().status("2x0"));
	}

	@Test
	void aMissingStatusIsAStreamError() throws Exception {
		assertAMalformedHeadIsAStreamError(new DefaultHttp2Headers().add("x-a", "b"));
	}

	/**
	 * Fields RFC 9113 section 8.2 forbids in a response (a connection-specific one, a name in
	 * upper case, a request pseudo-header) make it malformed: the stream is reset with
	 * PROTOCOL_ERROR and a warning says what was wrong, not only that the connection ended.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "connection: close|connection-specific header 'connection'",
			"transfer-encoding: chunked|connection-specific header 'transfer-encoding'",
			"X-Upper: a|X-Upper", ":path: /x|pseudo-headers" })
	void aForbiddenResponseFieldIsAStreamErrorThatSaysWhy(String field, String reason) throws Exception {
		int colon = field.indexOf(':', 1);
		Http2Headers head = new DefaultHttp2Headers(false).status("200")
			.add(field.substring(0, colon), field.substring(colon + 1).trim());
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, head, 0, false, ctx.newPromise());
			ctx.flush();
		});
		assertNothingReceivedAndAllRetriesFailed(bad);
		Awaitility.await().atMost(WAIT).until(() -> !this.errorsReceived.isEmpty());
		assertThat(this.errorsReceived).containsExactly(Http2Error.PROTOCOL_ERROR.code());
		assertThat(this.logs.warnings()).anySatisfy((line) -> assertThat(line)
			.contains("broke the protocol on stream").contains(reason).contains("PROTOCOL_ERROR"));
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void dataBeforeTheResponseHeadersIsNotDeliveredAsABody() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertNothingReceivedAndAllRetriesFailed(bad);
		Awaitility.await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.errorsReceived).contains(Http2Error.PROTOCOL_ERROR.code()));
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void dataAfterAnInterimResponseButBeforeTheFinalHeadersIsNotDeliveredAsABody() throws Exception {
		RecordingHandler bad = runBad(headThenHello(new DefaultHttp2Headers().status("103")));
		assertNothingReceivedAndAllRetriesFailed(bad);
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void dataBeyondTheStreamWindowResetsTheStream() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200"), 0, false, ctx.newPromise());
			for (int i = 0; i < 5; i++) {
				w.writeData(ctx, id, Unpooled.wrappedBuffer(new byte[16384]), 0, false, ctx.newPromise());
			}
			w.writeData(ctx, id, ascii("x"), 0, true, ctx.newPromise());
			ctx.flush();
		});
		assertNoResult(bad);
		Awaitility.await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.errorsReceived).contains(Http2Error.FLOW_CONTROL_ERROR.code()));
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aResetMidBodyEndsTheTransactionWithoutAResult() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200").setInt("content-length", 10), 0,
					false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, false, ctx.newPromise());
			w.writeRstStream(ctx, id, Http2Error.INTERNAL_ERROR.code(), ctx.newPromise());
			ctx.flush();
		});
		assertNoResult(bad);
		assertThat(bad.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "CONNECTED", "DISCONNECTED");
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aBodyShorterThanItsContentLengthEndsWithoutAResult() throws Exception {
		RecordingHandler bad = runBad(
				headThenHello(new DefaultHttp2Headers().status("200").setInt("content-length", 10)));
		assertNoResult(bad);
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aBodyLongerThanItsContentLengthEndsWithoutAResult() throws Exception {
		RecordingHandler bad = runBad(
				headThenHello(new DefaultHttp2Headers().status("200").setInt("content-length", 2)));
		assertNoResult(bad);
		assertThat(bad.received().length).isLessThanOrEqualTo(2);
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aSecondResponseHeadIsAStreamError() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			w.writeHeaders(ctx, id, new DefaultHttp2Headers().status("200"), 0, false, ctx.newPromise());
			headThenHello(new DefaultHttp2Headers().status("404")).answer(w, ctx, id);
		});
		assertNoResult(bad);
		assertThat(bad.received()).isEmpty();
		assertGoodStillServedOnTheSameConnection();
	}

	@Test
	void aContinuationFloodFailsTheConnection() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			// HEADERS without END_HEADERS, then CONTINUATIONs far beyond the header list limit.
			w.writeFrame(ctx, (byte) 0x1, id, new Http2Flags(), filler(1000), ctx.newPromise());
			for (int i = 0; i < 200; i++) {
				w.writeFrame(ctx, (byte) 0x9, id, new Http2Flags(), filler(1000), ctx.newPromise());
			}
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		assertNoResult(bad);
		assertCutOffWithAReason("continuation");
	}

	@Test
	void anInvalidSettingsValueFailsTheConnection() throws Exception {
		RecordingHandler bad = runBad((w, ctx, id) -> {
			ByteBuf settings = Unpooled.buffer(6);
			// SETTINGS_ENABLE_PUSH = 2 (only 0 and 1 are allowed).
			settings.writeShort(0x2).writeInt(2);
			w.writeFrame(ctx, (byte) 0x4, 0, new Http2Flags(), settings, ctx.newPromise());
			ctx.flush();
		});
		assertThat(bad.received()).isEmpty();
		Awaitility.await().atMost(WAIT)
			.untilAsserted(() -> assertThat(this.errorsReceived).contains(Http2Error.PROTOCOL_ERROR.code()));
		assertCutOffWithAReason("ENABLE_PUSH");
	}

	/** The client says at WARN why it closed the connection, not only that the connection ended. */
	private void assertCutOffWithAReason(String reason) {
		Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(this.logs.warnings())
			.anySatisfy((line) -> assertThat(line).contains("broke the protocol").contains(reason)));
	}

	/** A head the client must reject: the stream is reset, the connection goes on. */
	private void assertAMalformedHeadIsAStreamError(Http2Headers head) throws Exception {
		RecordingHandler bad = runBad(headThenHello(head));
		assertNothingReceivedAndAllRetriesFailed(bad);
		// The reset reaches the server after the client's stream has failed.
		Awaitility.await().atMost(WAIT).until(() -> !this.errorsReceived.isEmpty());
		assertThat(this.errorsReceived).containsExactly(Http2Error.PROTOCOL_ERROR.code());
		assertThat(this.logs.contains("malformed h2 response from")).as(this.logs.messages().toString()).isTrue();
		assertGoodStillServedOnTheSameConnection();
	}

	/** Answers with the head and then the body "hello", ending the stream. */
	private static Answer headThenHello(Http2Headers head) {
		return (w, ctx, id) -> {
			w.writeHeaders(ctx, id, head, 0, false, ctx.newPromise());
			w.writeData(ctx, id, ascii("hello"), 0, true, ctx.newPromise());
			ctx.flush();
		};
	}

	private static void assertNothingReceivedAndAllRetriesFailed(RecordingHandler bad) {
		assertThat(bad.received()).isEmpty();
		assertThat(bad.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
	}

	private static void assertNoResult(RecordingHandler bad) {
		assertThat(bad.states).doesNotContain(StreamState.QOS_ACK_REMOTE, StreamState.QOS_NACK_REMOTE);
	}

	private static ByteBuf filler(int length) {
		return Unpooled.wrappedBuffer(new byte[length]);
	}

	private static ByteBuf ascii(String text) {
		return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
	}

	private RecordingHandler runBad(Answer answer) throws Exception {
		int port = this.servers.start((index) -> new HostileServer(answer, this.errorsReceived, this.clientSettings));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("bad"), "127.0.0.1", port, "GET", "/bad")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		TestPolicies.h1(fragment.streamType("good"), "127.0.0.1", port, "GET", "/good")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2);
		this.streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).limits(this.limits));
		RecordingHandler bad = new RecordingHandler();
		this.streams.create("bad", bad).requestTx();
		Awaitility.await()
			.atMost(WAIT)
			.until(() -> bad.states.contains(StreamState.ALL_RETRIES_FAILED)
					|| bad.states.contains(StreamState.DISCONNECTED));
		return bad;
	}

	private void assertGoodStillServedOnTheSameConnection() {
		RecordingHandler good = new RecordingHandler();
		this.streams.create("good", good).requestTx();
		good.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(good.received(), StandardCharsets.US_ASCII)).isEqualTo("hello");
		assertThat(good.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE",
				"DISCONNECTED");
		assertThat(this.servers.connections()).as("connections").isEqualTo(1);
	}

	/** How the server answers {@code /bad}. */
	interface Answer {

		void answer(DefaultHttp2FrameWriter writer, ChannelHandlerContext ctx, int streamId);

	}

	private static final class HostileServer extends FrameByFrameH2Server {

		private final Answer answer;

		private final List<Long> errorsReceived;

		private final List<Http2Settings> clientSettings;

		HostileServer(Answer answer, List<Long> errorsReceived, List<Http2Settings> clientSettings) {
			this.answer = answer;
			this.errorsReceived = errorsReceived;
			this.clientSettings = clientSettings;
		}

		@Override
		protected void onClientSettings(Http2Settings settings) {
			this.clientSettings.add(settings);
		}

		@Override
		protected Http2Settings settings() {
			return new Http2Settings();
		}

		@Override
		protected void onClientError(long errorCode) {
			this.errorsReceived.add(errorCode);
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			if ("/good".contentEquals(headers.path())) {
				answerHello(ctx, streamId);
			}
			else {
				this.answer.answer(writer(), ctx, streamId);
			}
		}

	}

}
