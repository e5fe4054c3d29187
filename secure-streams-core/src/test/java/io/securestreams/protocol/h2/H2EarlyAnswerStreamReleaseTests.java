package io.securestreams.protocol.h2;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
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
 * A server may answer a request completely before its body has arrived (413 for an upload it
 * will not take) and then wait, as RFC 9113 §8.1 allows, for the client to end its side. The
 * client, which abandons the body, must end the h2 stream with RST_STREAM (CANCEL): a stream left
 * half-closed would keep its slot of the server's SETTINGS_MAX_CONCURRENT_STREAMS, and with a
 * limit of one the next request on the connection would wait forever.
 */
class H2EarlyAnswerStreamReleaseTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	private final List<Long> clientErrors = new CopyOnWriteArrayList<>();

	private final List<Integer> requests = new CopyOnWriteArrayList<>();

	@Test
	void eachEarlyAnsweredUploadReleasesItsStreamForTheNextOnTheConnection() throws Exception {
		int port = this.servers.start((index) -> new EarlyAnsweringServer(this.requests, this.clientErrors));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("up"), "127.0.0.1", port, "POST", "/upload")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				// The body never comes: the server answers first.
				return StreamResult.TX_DONT_SEND;
			}
		};
		SecureStream stream = streams.create("up", handler);
		for (int i = 1; i <= 3; i++) {
			stream.requestTxLen(100_000);
			handler.await(StreamState.DISCONNECTED, i, WAIT);
		}
		assertThat(this.requests).hasSize(3).doesNotHaveDuplicates();
		assertThat(this.servers.connections()).as("connections").isEqualTo(1);
		assertThat(this.clientErrors).containsExactly(Http2Error.CANCEL.code(), Http2Error.CANCEL.code(),
				Http2Error.CANCEL.code());
		assertThat(handler.states).filteredOn((state) -> state == StreamState.QOS_NACK_REMOTE).hasSize(3);
	}

	/** Answers 413 at once to every request, allows one stream at a time, never resets one. */
	private static final class EarlyAnsweringServer extends FrameByFrameH2Server {

		private final List<Integer> requests;

		private final List<Long> clientErrors;

		EarlyAnsweringServer(List<Integer> requests, List<Long> clientErrors) {
			this.requests = requests;
			this.clientErrors = clientErrors;
		}

		@Override
		protected Http2Settings settings() {
			return new Http2Settings().maxConcurrentStreams(1);
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			this.requests.add(streamId);
			Http2Headers answer = new DefaultHttp2Headers().status("413").setInt("content-length", 3);
			writer().writeHeaders(ctx, streamId, answer, 0, false, ctx.newPromise());
			writer().writeData(ctx, streamId, Unpooled.copiedBuffer("big", StandardCharsets.US_ASCII), 0, true,
					ctx.newPromise());
			ctx.flush();
		}

		@Override
		protected void onClientError(long errorCode) {
			this.clientErrors.add(errorCode);
		}

	}

}
