package io.securestreams.protocol.http;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedPeer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request body the server takes none of (an h1 server that stops reading, an h2 server that
 * never opens its window) fails the attempt after the response timeout instead of holding the
 * stream for as long as the connection lives; a server that reads slowly, and an application
 * slow to give its body, are not cut off.
 */
class RequestBodyStallTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(300);

	// For the slow reader: a pause of a loaded machine must not pass for a stall.
	private static final Duration PATIENT_TIMEOUT = Duration.ofSeconds(1);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final LogCapture logs = this.resources.closing(new LogCapture());

	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	@Test
	void anH1ServerThatReadsNoneOfTheBodyIsClosedAfterTheResponseTimeout() throws Exception {
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> Thread.sleep(WAIT.toMillis()), 4096)) {
			int length = 64 * 1024 * 1024;
			RecordingHandler handler = new RecordingHandler().send(new byte[length], 16384);
			post(peer.port(), Protocol.H1).create("post", handler).requestTxLen(length);
			handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
					"ALL_RETRIES_FAILED");
			assertThat(this.logs.contains("took none of the request body for 300 ms (streamtype 'post')"))
				.as(this.logs.messages().toString())
				.isTrue();
		}
	}

	@Test
	void anH2ServerThatNeverOpensItsWindowIsResetAfterTheResponseTimeout() throws Exception {
		// The server's windows stay at h2's initial 65535 bytes: the rest of the body never fits.
		int port = this.servers.start((index) -> new SilentH2Server());
		int length = 1024 * 1024;
		RecordingHandler handler = new RecordingHandler().send(new byte[length], 16384);
		post(port, Protocol.H2).create("post", handler).requestTxLen(length);
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "UNREACHABLE",
				"ALL_RETRIES_FAILED");
		assertThat(this.logs.contains("took none of the request body")).as(this.logs.messages().toString()).isTrue();
	}

	/**
	 * A request held back for a stream slot (SETTINGS_MAX_CONCURRENT_STREAMS) fills its stream
	 * with body while it waits; once the slot frees and the head goes out, a server that takes
	 * none of the body past its window (smaller than what was queued, so that the stream never
	 * turns writable again) still fails the attempt after the response timeout.
	 */
	@Test
	void aBodyThatWaitedForAStreamSlotIsTimedOnceItsHeadGoesOut() throws Exception {
		OneSlotH2Server server = new OneSlotH2Server();
		int port = this.servers.start((index) -> server);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("first"), "127.0.0.1", port, "GET", "/first")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", port, "POST", "/upload")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		// The response timeout must not end the first request, which the server holds on purpose.
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.limits(ProtocolLimits.DEFAULTS.withResponseTimeout(PATIENT_TIMEOUT)));
		RecordingHandler first = new RecordingHandler();
		streams.create("first", first).requestTx();
		Awaitility.await().atMost(WAIT).until(() -> server.firstStream != 0);
		int length = 1024 * 1024;
		AtomicInteger given = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				StreamResult result = super.onTx(stream, slot);
				given.incrementAndGet();
				return result;
			}
		}.send(new byte[length], 16384);
		streams.create("post", handler).requestTxLen(length);
		// More body than the stream channel takes before it turns unwritable, all held back.
		Awaitility.await().atMost(WAIT).until(() -> given.get() >= 4);
		server.answerFirst();
		first.await(StreamState.QOS_ACK_REMOTE, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> server.posted);
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.stateNames()).containsSubsequence("CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(this.logs.contains("took none of the request body")).as(this.logs.messages().toString()).isTrue();
	}

	@Test
	void anH1ServerThatReadsSlowlyGetsTheWholeBody() throws Exception {
		// Far longer in all than the response timeout, but never that long without reading; more
		// than the sockets' buffers hold, so that the client waits for the server.
		int length = 48 * 1024 * 1024;
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			readSlowly(in, length);
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		})) {
			RecordingHandler handler = new RecordingHandler().send(new byte[length], 16384);
			post(peer.port(), Protocol.H1, PATIENT_TIMEOUT).create("post", handler).requestTxLen(length);
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("ok");
			assertThat(this.logs.contains("took none of the request body")).isFalse();
		}
	}

	@Test
	void anApplicationSlowToGiveItsBodyIsNotCutOff() throws Exception {
		int pieces = 5;
		try (ScriptedPeer peer = new ScriptedPeer((head, in, out) -> {
			in.readNBytes(pieces * 1024);
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		})) {
			PacedBody body = new PacedBody(pieces);
			SecureStream stream = post(peer.port(), Protocol.H1).create("post", body);
			stream.requestTxLen(pieces * 1024L);
			for (int i = 0; i < pieces; i++) {
				// The application's own pace, each gap longer than the response timeout.
				Thread.sleep(RESPONSE_TIMEOUT.toMillis() * 2);
				body.allowed.incrementAndGet();
				stream.requestTx();
			}
			body.recorder.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(body.recorder.stateNames()).doesNotContain("UNREACHABLE");
		}
	}

	private SecureStreams post(int port, Protocol protocol) {
		return post(port, protocol, RESPONSE_TIMEOUT);
	}

	private SecureStreams post(int port, Protocol protocol, Duration responseTimeout) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", port, "POST", "/upload")
			.set(StreamTypeKey.PROTOCOL, protocol)
			.set(StreamTypeKey.RETRY, null);
		return this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(1)
			.limits(ProtocolLimits.DEFAULTS.withResponseTimeout(responseTimeout)));
	}

	private static void readSlowly(InputStream in, int length) throws Exception {
		byte[] piece = new byte[64 * 1024];
		int read = 0;
		while (read < length) {
			int n = in.read(piece, 0, Math.min(piece.length, length - read));
			if (n < 0) {
				throw new IllegalStateException("body ended after " + read + " bytes");
			}
			read += n;
			Thread.sleep(3);
		}
	}

	/** Gives one 1 KiB piece of the body each time the test allows one more. */
	private static final class PacedBody extends RecordingHandler {

		final AtomicInteger allowed = new AtomicInteger();

		final RecordingHandler recorder = this;

		private final int pieces;

		private int given;

		PacedBody(int pieces) {
			this.pieces = pieces;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			if (this.given >= this.allowed.get()) {
				return StreamResult.TX_DONT_SEND;
			}
			slot.write(new byte[1024]);
			this.given++;
			slot.flags(((this.given == 1) ? StreamFlags.SOM : 0) | ((this.given == this.pieces) ? StreamFlags.EOM : 0));
			return StreamResult.OK;
		}

	}

	/**
	 * Allows one stream at a time, with a 16 KiB window; holds the first request until told, and
	 * takes none of a body beyond that window.
	 */
	private static final class OneSlotH2Server extends FrameByFrameH2Server {

		volatile int firstStream;

		volatile boolean posted;

		private volatile ChannelHandlerContext connection;

		@Override
		protected Http2Settings settings() {
			return new Http2Settings().maxConcurrentStreams(1).initialWindowSize(16384);
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			if ("/first".contentEquals(headers.path())) {
				this.connection = ctx;
				this.firstStream = streamId;
			}
			else {
				this.posted = true;
			}
		}

		void answerFirst() {
			ChannelHandlerContext ctx = this.connection;
			ctx.executor().execute(() -> answerHello(ctx, this.firstStream));
		}

	}

	/** Takes requests and answers none, granting no window beyond h2's initial one. */
	private static final class SilentH2Server extends FrameByFrameH2Server {

		@Override
		protected Http2Settings settings() {
			return new Http2Settings();
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
		}

	}

}
