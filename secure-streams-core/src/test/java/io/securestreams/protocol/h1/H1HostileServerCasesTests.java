package io.securestreams.protocol.h1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h1 servers that break the protocol, written byte by byte: the stream never takes what the
 * server sends outside a transaction for a response, and ends in a legal state sequence.
 */
class H1HostileServerCasesTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	private ProtocolLimits limits = ProtocolLimits.DEFAULTS;

	private SecureStreams start(int port, Consumer<StreamTypePolicy.Builder> keys) {
		PolicyFragment fragment = TestPolicies.base();
		StreamTypePolicy.Builder builder = TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", port, "GET", "/")
			.set(StreamTypeKey.RETRY, null);
		keys.accept(builder);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).limits(this.limits));
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private RecordingHandler get(ScriptedPeer peer, Consumer<StreamTypePolicy.Builder> keys) {
		RecordingHandler handler = new RecordingHandler();
		start(peer.port(), keys).create("get", handler).requestTx();
		return handler;
	}

	private RecordingHandler get(ScriptedPeer peer) {
		return get(peer, (b) -> {
		});
	}

	private static ScriptedPeer answering(String answer) throws IOException {
		return new ScriptedPeer((head, in, out) -> out.write(answer.getBytes(StandardCharsets.ISO_8859_1)));
	}

	@Test
	void aResponseNobodyAskedForOnAKeptAliveConnectionIsNotDelivered() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
				+ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("ok");
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "DISCONNECTED");
			assertThat(this.logs.contains("to no request")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void aNoContentAnswerWithABodyDoesNotMakeTheBodyTheNextResponse() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 204 No Content\r\n\r\n"
				+ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.received()).isEmpty();
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "DISCONNECTED");
		}
	}

	@Test
	void interimAnswersBeforeTheFinalOneAreSkipped() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
				+ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(300).multipliedBy(3))
				.untilAsserted(() -> {
					assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("ok");
					assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
							"QOS_ACK_REMOTE");
				});
		}
	}

	@Test
	void aChunkLongerThanItsSizeIsNotASuccess() throws Exception {
		try (ScriptedPeer peer = answering(
				"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE");
		}
	}

	@Test
	void aChunkWithoutItsCrlfIsNotASuccess() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc0\r\n\r\n")) {
			RecordingHandler handler = get(peer);
			Awaitility.await().atMost(WAIT).until(() -> handler.states.contains(StreamState.DISCONNECTED)
					|| handler.states.contains(StreamState.QOS_ACK_REMOTE));
			Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(300).multipliedBy(3))
				.untilAsserted(() -> assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE"));
		}
	}

	@Test
	void aBadChunkSizeEndsTheConnection() throws Exception {
		try (ScriptedPeer peer = answering(
				"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\nab\r\n0\r\n\r\n")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"DISCONNECTED");
			assertThat(this.logs.contains("malformed http response")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void unlimitedTrailersEndTheConnection() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"));
			byte[] trailer = ascii("X-T: " + "t".repeat(1000) + "\r\n");
			for (int i = 0; i < 200; i++) {
				out.write(trailer);
			}
		})) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).doesNotContain("QOS_ACK_REMOTE");
		}
	}

	@Test
	void twoDifferentContentLengthsFailTheAttempt() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nokabc")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.UNREACHABLE, WAIT);
			Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(300).multipliedBy(3))
				.untilAsserted(() -> {
					assertThat(handler.stateNames()).doesNotContain("CONNECTED");
					assertThat(handler.received()).isEmpty();
				});
			assertThat(this.logs.contains("malformed http response")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void aSignedContentLengthFailsTheAttempt() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("malformed http response")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void chunkExtensionsAndTrailersLeaveTheBodyWhole() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "3;name=value;q=\"a;b\"\r\nabc\r\n2 ; ext\r\nde\r\n0;last\r\nX-Trailer: 1\r\nY: 2\r\n\r\n")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
		}
	}

	@Test
	void chunkedWithAContentLengthFailsTheAttempt() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
				+ "5\r\nabcde\r\n0\r\n\r\n")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.UNREACHABLE, WAIT);
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
			assertThat(handler.received()).isEmpty();
			assertThat(this.logs.contains("Transfer-Encoding")).as(this.logs.messages().toString()).isTrue();
		}
	}

	// A 200 answer whose head holds 40 headers of 1,000 bytes, and the body "ok".
	private static String okWithAFortyKilobyteHead() {
		StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
		for (int i = 0; i < 40; i++) {
			head.append("X-H").append(i).append(": ").append("h".repeat(1000)).append("\r\n");
		}
		return head.append("Content-Length: 2\r\n\r\nok").toString();
	}

	@Test
	void aHeadBlockBeyondTheLimitFailsTheAttempt() throws Exception {
		try (ScriptedPeer peer = answering(okWithAFortyKilobyteHead())) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.UNREACHABLE, WAIT);
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
			assertThat(this.logs.contains("malformed http response")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void theHeadLimitIsTheContextsMaxHttpHeaderSize() throws Exception {
		this.limits = ProtocolLimits.DEFAULTS.withMaxHttpHeaderSize(64 * 1024);
		try (ScriptedPeer peer = answering(okWithAFortyKilobyteHead())) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("ok");
		}
	}

	@Test
	void aStatusLineBeyondTheLimitFailsTheAttempt() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 " + "O".repeat(20000) + "\r\nContent-Length: 2\r\n\r\nok")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.UNREACHABLE, WAIT);
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
		}
	}

	/**
	 * The status line counts against {@code maxHttpHeaderSize} like the rest of the head, as the
	 * request line does on the servers: a long reason phrase within the limit is an answer.
	 */
	@Test
	void aStatusLineWithinTheLimitIsAccepted() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 " + "O".repeat(6000) + "\r\nContent-Length: 2\r\n\r\nok")) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("ok");
		}
	}

	@Test
	void aCloseMidBodyIsADisconnectNotAResult() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
			out.flush();
			Thread.sleep(200);
			throw new IOException("closing mid-body");
		})) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"DISCONNECTED");
		}
	}

	@Test
	void aRequestMadeWhileConnectedIsServedAfterTheConnectionDropsMidBody() throws Exception {
		// Before, the opportunistic stream stayed idle after DISCONNECTED with the request pending
		// for good: no second connection, and no onTx for a stream with a body.
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
			out.flush();
			Thread.sleep(200);
			throw new IOException("closing mid-body");
		})) {
			AtomicInteger connected = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
				if (state == StreamState.CONNECTED && connected.incrementAndGet() == 1) {
					s.requestTx();
				}
				return StreamResult.OK;
			});
			start(peer.port(), (b) -> {
			}).create("get", handler).requestTx();
			handler.await(StreamState.DISCONNECTED, 2, WAIT);
			// The second transaction took the request: nothing is left to connect for.
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "DISCONNECTED");
			assertThat(peer.connections()).isEqualTo(2);
		}
	}

	@Test
	void aBodyEndedByCloseIsCompleteAndTheNextRequestConnectsAgain() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 200 OK\r\n\r\nuntil-close"));
			out.flush();
			Thread.sleep(200);
			throw new IOException("closing ends the body");
		})) {
			AtomicInteger acks = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
				if (state == StreamState.QOS_ACK_REMOTE && acks.incrementAndGet() == 1) {
					s.requestTx();
				}
				return io.securestreams.StreamResult.OK;
			});
			start(peer.port(), (b) -> {
			}).create("get", handler).requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofMillis(500).multipliedBy(3))
				.untilAsserted(() -> {
					assertThat(new String(handler.received(), StandardCharsets.US_ASCII))
						.isEqualTo("until-closeuntil-close");
					assertThat(peer.connections()).isEqualTo(2);
				});
			// The body ended with the connection: no next transaction is started on it.
			assertThat(handler.stateNames().subList(0, 6)).containsExactly("CREATING", "POLL", "CONNECTING",
					"CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED");
		}
	}

	@Test
	void anEarlyAnswerDuringTheRequestBodyEndsTheTransaction() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig")) {
			RecordingHandler handler = new RecordingHandler().send(new byte[8 * 1024 * 1024], 16384);
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST")).create("get", handler);
			stream.requestTxLen(8 * 1024 * 1024);
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_NACK_REMOTE", "DISCONNECTED");
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("big");
		}
	}

	@Test
	void theLengthOfABodyCutShortByAnEarlyAnswerIsNotTheNextRequests() throws Exception {
		// Before, the stream kept the announced 100 bytes: the next request, asked for without a
		// length, went out with "content-length: 100", and its 2-byte EOM closed the connection.
		try (ScriptedPeer peer = answering("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig")) {
			AtomicInteger txCalls = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler() {
				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					if (txCalls.incrementAndGet() == 1) {
						// The first body waits for data that never comes: the server answers first.
						return StreamResult.TX_DONT_SEND;
					}
					slot.buffer().put(ascii("hi"));
					slot.flags(StreamFlags.SOM | StreamFlags.EOM);
					return StreamResult.OK;
				}
			};
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST")).create("get", handler);
			stream.requestTxLen(100);
			handler.await(StreamState.DISCONNECTED, WAIT);
			stream.requestTx();
			handler.await(StreamState.DISCONNECTED, 2, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_NACK_REMOTE", "DISCONNECTED", "POLL", "CONNECTING", "CONNECTED", "QOS_NACK_REMOTE",
					"DISCONNECTED");
			assertThat(peer.requests()).hasSize(2);
			assertThat(ScriptedPeer.header(peer.requests().get(0), "content-length")).isEqualTo("100");
			assertThat(ScriptedPeer.header(peer.requests().get(1), "content-length")).isEmpty();
			assertThat(ScriptedPeer.header(peer.requests().get(1), "transfer-encoding")).isEqualTo("chunked");
		}
	}

	/**
	 * A POST answered 503 after its whole body is retried with the length announced for it, as
	 * libwebsockets keeps the length until a transaction completes. Before, the length counted as
	 * used once the body was out, and the retry went out chunked.
	 */
	@Test
	void aPostRetriedAfterServiceUnavailableKeepsItsContentLength() throws Exception {
		AtomicInteger connections = new AtomicInteger();
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			in.readNBytes(5);
			out.write(ascii((connections.incrementAndGet() == 1)
					? "HTTP/1.1 503 Busy\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
					: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
		})) {
			RecordingHandler handler = new RecordingHandler() {
				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					// The whole body, each time the transaction asks for it.
					slot.buffer().put(ascii("hello"));
					slot.flags(StreamFlags.SOM | StreamFlags.EOM);
					return StreamResult.OK;
				}
			};
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.HTTP_METHOD, "POST")
				.set(StreamTypeKey.RETRY, "fast")).create("get", handler);
			stream.requestTxLen(5);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(handler.stateNames()).startsWith("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
			assertThat(peer.requests()).hasSize(2);
			for (String head : peer.requests()) {
				assertThat(ScriptedPeer.header(head, "content-length")).isEqualTo("5");
				assertThat(ScriptedPeer.header(head, "transfer-encoding")).isEmpty();
			}
		}
	}

	/**
	 * A server that takes the request and never answers is given the context's response timeout
	 * (libwebsockets' timeout_secs), then the connection is closed as if the server had closed it.
	 */
	@Test
	void aServerThatHangsUpWithoutAnsweringIsNamedInTheLog() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			throw new IOException("hanging up on the request");
		})) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.messages()).anySatisfy((line) -> assertThat(line)
				.contains("stream 1 (get): the connection to tcp://127.0.0.1:" + peer.port() + "/")
				.contains("ended before the stream was connected"));
		}
	}

	@Test
	void aServerThatNeverAnswersIsClosedAfterTheResponseTimeout() throws Exception {
		this.limits = ProtocolLimits.DEFAULTS.withResponseTimeout(Duration.ofMillis(300));
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> Thread.sleep(WAIT.toMillis()))) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("no response from")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void anInterimAnswerThenSilenceIsClosedAfterTheResponseTimeout() throws Exception {
		// Before, the 103 ended the wait for good: the connection was held until the server closed it.
		this.limits = ProtocolLimits.DEFAULTS.withResponseTimeout(Duration.ofMillis(300));
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"));
			out.flush();
			Thread.sleep(WAIT.toMillis());
		})) {
			RecordingHandler handler = get(peer);
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("no response from")).as(this.logs.messages().toString()).isTrue();
		}
	}

	/**
	 * On a kept-alive connection each transaction gets the whole response timeout from its own
	 * request: answers that each take most of it, together far longer, are all taken, and the
	 * request left unanswered after them still times out.
	 */
	@Test
	void eachKeptAliveTransactionGetsTheWholeResponseTimeout() throws Exception {
		this.limits = ProtocolLimits.DEFAULTS.withResponseTimeout(Duration.ofMillis(400));
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			for (int i = 0; i < 4; i++) {
				if (i > 0) {
					ScriptedPeer.readHead(in);
				}
				Thread.sleep(250);
				out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
				out.flush();
			}
			ScriptedPeer.readHead(in);
			Thread.sleep(WAIT.toMillis());
		})) {
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.QOS_ACK_REMOTE) {
					stream.requestTx();
				}
				return StreamResult.OK;
			});
			start(peer.port(), (b) -> {
			}).create("get", handler).requestTx();
			handler.await(StreamState.DISCONNECTED, WAIT);
			// The kept-alive connection ends as a new one does when the server closes it before
			// answering: the attempt failed (and the streamtype has no retries).
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "CONNECTING", "DISCONNECTED",
					"UNREACHABLE", "ALL_RETRIES_FAILED");
			assertThat(peer.connections()).isEqualTo(1);
			assertThat(this.logs.contains("no response from")).as(this.logs.messages().toString()).isTrue();
		}
	}

	/**
	 * A kept-alive connection's next transaction reports CONNECTING as a new connection would;
	 * when the server hangs up on its request without answering, it fails as on a new connection
	 * (UNREACHABLE, then the retry policy, after the DISCONNECTED still owed to the first
	 * CONNECTED). Before, it ended as a lost connection: an opportunistic stream reported
	 * DISCONNECTED and never served the request it had been asked to make.
	 */
	@Test
	void aKeptAliveConnectionClosedBeforeTheAnswerIsRetriedAsAFailedAttempt() throws Exception {
		AtomicInteger connections = new AtomicInteger();
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
			out.flush();
			if (connections.incrementAndGet() == 1) {
				ScriptedPeer.readHead(in);
				throw new IOException("hanging up on the kept-alive connection's next request");
			}
		})) {
			AtomicInteger acks = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler().onState((stream, state) -> {
				if (state == StreamState.QOS_ACK_REMOTE && acks.incrementAndGet() == 1) {
					stream.requestTx();
				}
				return StreamResult.OK;
			});
			start(peer.port(), (b) -> b.set(StreamTypeKey.RETRY, "fast")).create("get", handler).requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "CONNECTING", "DISCONNECTED", "UNREACHABLE", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE");
			assertThat(peer.connections()).isEqualTo(2);
		}
	}

	@Test
	void aServerTricklingBytesStillMeetsTheStreamTimeout() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"));
			for (int i = 0; i < 100; i++) {
				out.write('x');
				out.flush();
				Thread.sleep(200);
			}
		})) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.TIMEOUT_MS, 1000L)).create("get", handler);
			stream.startTimeout(0);
			stream.requestTx();
			handler.await(StreamState.TIMEOUT, Duration.ofSeconds(5));
		}
	}

	@Test
	void aHeadRequestsAnswerHasNoBodyWhateverItsLength() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")) {
			RecordingHandler handler = get(peer, (b) -> b.set(StreamTypeKey.HTTP_METHOD, "HEAD"));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(handler.received()).isEmpty();
		}
	}

	@Test
	void aKeptAliveConnectionCarriesTheNextHeadRequestAfterAnAnswerWithALength() throws Exception {
		String answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			out.write(ascii(answer));
			out.flush();
			ScriptedPeer.readHead(in);
			out.write(ascii(answer));
		})) {
			AtomicInteger acks = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler().onState((s, state) -> {
				if (state == StreamState.QOS_ACK_REMOTE && acks.incrementAndGet() == 1) {
					s.requestTx();
				}
				return StreamResult.OK;
			});
			start(peer.port(), (b) -> b.set(StreamTypeKey.HTTP_METHOD, "HEAD")).create("get", handler).requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(handler.received()).isEmpty();
			assertThat(peer.connections()).isEqualTo(1);
		}
	}

	@Test
	void aMalformedRedirectIsNotFollowed() throws Exception {
		try (ScriptedPeer peer = answering(
				"HTTP/1.1 302 Found\r\nLocation: http://[::1/x y\r\nContent-Length: 0\r\n\r\n")) {
			RecordingHandler handler = get(peer, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true));
			handler.await(StreamState.QOS_NACK_REMOTE, WAIT);
		}
	}

	@Test
	void headerBytesReachMetadataAsSent() throws Exception {
		// "café" in UTF-8 on the wire; Netty reads each header byte as one char.
		byte[] wire = "caf\u00c3\u00a9".getBytes(StandardCharsets.ISO_8859_1);
		try (ScriptedPeer peer = answering(
				"HTTP/1.1 200 OK\r\nX-Tag: caf\u00c3\u00a9\r\nContent-Length: 2\r\n\r\nok")) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.METADATA,
					List.of(new MetadataDeclaration("tag", "x-tag:")))).create("get", handler);
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(stream.metadataBytes("tag")).isEqualTo(wire);
			assertThat(stream.metadata("tag")).isEqualTo("caf\u00e9");
		}
	}

	@Test
	void rawHeaderBytesReachDirectProtoStrMetadataAsSent() throws Exception {
		byte[] wire = "caf\u00c3\u00a9 \u00ff".getBytes(StandardCharsets.ISO_8859_1);
		try (ScriptedPeer peer = answering(
				"HTTP/1.1 200 OK\r\nX-Tag: caf\u00c3\u00a9 \u00ff\r\nContent-Length: 2\r\n\r\nok")) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.DIRECT_PROTO_STR, true)).create("get", handler);
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(stream.metadataBytes("x-tag:")).isEqualTo(wire);
		}
	}

	@Test
	void aRelativeRedirectResolvesAgainstTheRequestedPath() throws Exception {
		List<String> targets = new CopyOnWriteArrayList<>();
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			String target = head.split(" ")[1];
			targets.add(target);
			out.write(ascii(target.startsWith("/dir/page")
					? "HTTP/1.1 302 Found\r\nLocation: other?x=1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
					: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
		})) {
			RecordingHandler handler = get(peer, (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true)
				.set(StreamTypeKey.HTTP_URL, "/dir/page"));
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			// RFC 3986 5.2, and libwebsockets, which replaces the last segment of the current path.
			assertThat(targets).containsExactly("/dir/page", "/dir/other?x=1");
		}
	}

	@Test
	void nonAsciiMetadataBytesGoOutAsSet() throws Exception {
		List<byte[]> heads = new CopyOnWriteArrayList<>();
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			heads.add(head.getBytes(StandardCharsets.ISO_8859_1));
			out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
		})) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.METADATA,
					List.of(new MetadataDeclaration("tag", "x-tag:")))).create("get", handler);
			stream.setMetadata("tag", "caf\u00e9".getBytes(StandardCharsets.UTF_8));
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			String head = new String(heads.get(0), StandardCharsets.ISO_8859_1);
			assertThat(head).contains("x-tag: caf\u00c3\u00a9\r\n");
		}
	}

	@Test
	void aControlCharacterInAResponseHeaderFailsTheAttemptNamingTheHeader() throws Exception {
		try (ScriptedPeer peer = answering("HTTP/1.1 200 OK\r\nX-Tag: a\u0001b\r\nContent-Length: 2\r\n\r\nok")) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.METADATA,
					List.of(new MetadataDeclaration("tag", "x-tag:")))).create("get", handler);
			stream.requestTx();
			handler.await(StreamState.UNREACHABLE, WAIT);
			assertThat(handler.stateNames()).doesNotContain("CONNECTED");
			assertThat(stream.metadataBytes("tag")).isNull();
			assertThat(this.logs.contains("X-Tag")).as(this.logs.messages().toString()).isTrue();
		}
	}

	@Test
	void aRequestToSendMadeDuringATransactionStartsTheNextOne() throws Exception {
		List<String> targets = new CopyOnWriteArrayList<>();
		try (ScriptedPeer peer = new ScriptedPeer((first, in, out) -> {
			// Serves the requests of a kept-alive connection one after the other.
			for (String head = first;; head = ScriptedPeer.readHead(in)) {
				targets.add(head.split(" ")[1]);
				Thread.sleep(500);
				out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
				out.flush();
			}
		})) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> {
			}).create("get", handler);
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> targets.size() == 1);
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(targets).containsExactly("/", "/");
		}
	}

	@Test
	void aRequestToSendMadeDuringARedirectIsNotSwallowedByTheHop() throws Exception {
		List<String> targets = new CopyOnWriteArrayList<>();
		try (ScriptedPeer peer = new ScriptedPeer((first, in, out) -> {
			for (String head = first;; head = ScriptedPeer.readHead(in)) {
				String target = head.split(" ")[1];
				targets.add(target);
				if (target.equals("/")) {
					// Time for the application to ask for its next transaction.
					Thread.sleep(500);
					out.write(ascii("HTTP/1.1 302 Found\r\nLocation: /moved\r\nContent-Length: 0\r\n\r\n"));
				}
				else {
					out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
				}
				out.flush();
			}
		})) {
			RecordingHandler handler = new RecordingHandler();
			var stream = start(peer.port(), (b) -> b.set(StreamTypeKey.ALLOW_REDIRECTS, true)).create("get", handler);
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> targets.size() == 1);
			stream.requestTx();
			handler.await(StreamState.QOS_ACK_REMOTE, 2, WAIT);
			assertThat(targets).containsExactly("/", "/moved", "/", "/moved");
		}
	}

}
