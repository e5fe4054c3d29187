package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.FrameByFrameH2Server;
import io.securestreams.testsupport.LoopbackNettyServers;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code h2q_oflow_txcr} against an h2 server that breaks the flow-control limit the way the
 * quirk is for: a server written frame by frame with Netty's h2 frame reader and writer, which
 * announces an initial window of 2^31-1 and then sends a WINDOW_UPDATE on top of it (or overflows
 * the connection window), then answers. Without the quirk the client refuses with
 * FLOW_CONTROL_ERROR, as RFC 9113 requires; with it the response arrives.
 */
class H2TxCreditQuirkTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	// Closes the servers with their accepted connections; the client contexts close after this.
	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	/** RST_STREAM and GOAWAY error codes the server received. */
	private final List<Long> errorsReceived = new CopyOnWriteArrayList<>();

	@Test
	void withoutTheQuirkAWindowUpdateOnTopOfAMaximalInitialWindowResetsTheStream() throws Exception {
		RecordingHandler handler = get(false, false);
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.received()).isEmpty();
		assertThat(handler.states).doesNotContain(StreamState.QOS_ACK_REMOTE);
		// Each attempt's stream was reset with the reason (the response frames that followed for
		// the reset stream got STREAM_CLOSED); the connection itself was not failed.
		assertThat(this.errorsReceived).filteredOn((code) -> code != Http2Error.STREAM_CLOSED.code())
			.isNotEmpty()
			.containsOnly(Http2Error.FLOW_CONTROL_ERROR.code());
	}

	@Test
	void withTheQuirkTheMaximalInitialWindowIsIgnoredAndTheResponseArrives() throws Exception {
		RecordingHandler handler = get(true, false);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		assertThat(this.errorsReceived).isEmpty();
	}

	@Test
	void withoutTheQuirkAnOverflowingConnectionWindowUpdateFailsTheConnection() throws Exception {
		RecordingHandler handler = get(false, true);
		handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
		assertThat(handler.received()).isEmpty();
		assertThat(handler.states).doesNotContain(StreamState.QOS_ACK_REMOTE);
		// A GOAWAY with the reason, for each attempt's connection.
		assertThat(this.errorsReceived).isNotEmpty().containsOnly(Http2Error.FLOW_CONTROL_ERROR.code());
	}

	@Test
	void withTheQuirkAnOverflowingConnectionWindowUpdateIsCapped() throws Exception {
		RecordingHandler handler = get(true, true);
		handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
		assertThat(this.errorsReceived).isEmpty();
	}

	@Test
	void aStreamErrorResetsOnlyThatStreamAndTheConnectionServesTheOthers() throws Exception {
		SecureStreams streams = start(false, Overflow.FIRST_STREAM);
		RecordingHandler first = new RecordingHandler();
		RecordingHandler second = new RecordingHandler();
		streams.create("get", first).requestTx();
		streams.create("get", second).requestTx();
		first.await(StreamState.QOS_ACK_REMOTE, WAIT);
		second.await(StreamState.QOS_ACK_REMOTE, WAIT);
		// One of the two had its first attempt reset and succeeded on its retry, on the same
		// connection as the other stream: no GOAWAY, one connection accepted.
		assertThat(List.of(first.stateNames(), second.stateNames())).containsExactlyInAnyOrder(
				List.of("CREATING", "POLL", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE", "DISCONNECTED"),
				List.of("CREATING", "POLL", "CONNECTING", "UNREACHABLE", "POLL", "CONNECTING", "CONNECTED",
						"QOS_ACK_REMOTE", "DISCONNECTED"));
		assertThat(this.errorsReceived).filteredOn((code) -> code != Http2Error.STREAM_CLOSED.code())
			.containsExactly(Http2Error.FLOW_CONTROL_ERROR.code());
		assertThat(this.servers.connections()).isEqualTo(1);
	}

	private RecordingHandler get(boolean quirk, boolean overflowConnection) throws Exception {
		SecureStreams streams = start(quirk, overflowConnection ? Overflow.CONNECTION : Overflow.EVERY_STREAM);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("get", handler);
		stream.requestTx();
		return handler;
	}

	private SecureStreams start(boolean quirk, Overflow overflow) throws Exception {
		int port = this.servers.start((index) -> new OverflowingServer(overflow, this.errorsReceived));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", port, "GET", "/x")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.H2Q_OFLOW_TXCR, quirk);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	/** Which windows the server overflows. */
	private enum Overflow {

		/** Every request's stream window. */
		EVERY_STREAM,

		/** The first request's stream window only. */
		FIRST_STREAM,

		/** The connection window. */
		CONNECTION

	}

	/**
	 * Speaks h2 one frame at a time: SETTINGS with an initial window of 2^31-1, then for each
	 * request a WINDOW_UPDATE that overflows (as {@link Overflow} says) and "hello".
	 */
	private static final class OverflowingServer extends FrameByFrameH2Server {

		private final Overflow overflow;

		private int requests;

		private final List<Long> errorsReceived;

		OverflowingServer(Overflow overflow, List<Long> errorsReceived) {
			this.overflow = overflow;
			this.errorsReceived = errorsReceived;
		}

		@Override
		protected Http2Settings settings() {
			return new Http2Settings().initialWindowSize(Integer.MAX_VALUE);
		}

		@Override
		protected void onClientError(long errorCode) {
			this.errorsReceived.add(errorCode);
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			this.requests++;
			if (this.overflow == Overflow.CONNECTION) {
				// The connection window starts at 65535 whatever the settings: one more than fits.
				writer().writeWindowUpdate(ctx, 0, Integer.MAX_VALUE - 65535 + 1, ctx.newPromise());
			}
			else if (this.overflow == Overflow.EVERY_STREAM || this.requests == 1) {
				writer().writeWindowUpdate(ctx, streamId, 1000, ctx.newPromise());
			}
			answerHello(ctx, streamId);
		}

	}

}
