package io.securestreams.protocol.h2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
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
 * An h2 server written frame by frame that opens with edge SETTINGS values: an initial stream
 * window of 0 (the client may send no DATA until a WINDOW_UPDATE), one stream at a time, a
 * header table of 0 and the largest frame size. It grants each request body 1000 bytes at a time
 * and answers with the length and CRC-32 of what it read; a request for {@code /interim} is
 * answered 100 and 103 before its final head, body and trailers.
 */
class H2SettingsEdgeTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@RegisterExtension
	final TestResources resources = new TestResources();

	// Closes the servers with their accepted connections; the client contexts close after this.
	@RegisterExtension
	final LoopbackNettyServers servers = new LoopbackNettyServers();

	// What the server saw, by request: "open n" and "end n", n counting the requests from 1.
	private final List<String> order = new CopyOnWriteArrayList<>();

	/**
	 * Three request bodies (two with a length, one without) queue for the one stream the server
	 * allows and go out 1000 bytes per WINDOW_UPDATE: each arrives whole, once, in order.
	 */
	@Test
	void bodiesFlowUnderAZeroInitialWindowOneStreamAtATime() throws Exception {
		SecureStreams streams = start();
		List<RecordingHandler> handlers = new ArrayList<>();
		List<byte[]> bodies = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			byte[] body = new byte[100_000 + i];
			ThreadLocalRandom.current().nextBytes(body);
			bodies.add(body);
			RecordingHandler handler = new RecordingHandler().send(body, 7000);
			handlers.add(handler);
			SecureStream stream = streams.create("put", handler);
			if (i == 1) {
				stream.requestTx();
			}
			else {
				stream.requestTxLen(body.length);
			}
		}
		for (int i = 0; i < 3; i++) {
			handlers.get(i).await(StreamState.DISCONNECTED, WAIT);
			CRC32 crc = new CRC32();
			crc.update(bodies.get(i));
			assertThat(new String(handlers.get(i).received(), StandardCharsets.US_ASCII))
				.isEqualTo(bodies.get(i).length + ":" + crc.getValue());
			assertThat(handlers.get(i).stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"QOS_ACK_REMOTE", "DISCONNECTED");
		}
		assertThat(this.order).containsExactly("open 1", "end 1", "open 2", "end 2", "open 3", "end 3");
		assertThat(this.servers.connections()).isEqualTo(1);
	}

	/** Interim answers are skipped: the final head's body and trailers make the result. */
	@Test
	void interimAnswersBeforeTheFinalOneAreSkipped() throws Exception {
		SecureStreams streams = start();
		RecordingHandler handler = new RecordingHandler();
		streams.create("interim", handler).requestTx();
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(new String(handler.received(), StandardCharsets.US_ASCII)).isEqualTo("hello");
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM, StreamFlags.EOM);
		assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
				"QOS_ACK_REMOTE", "DISCONNECTED");
	}

	private SecureStreams start() throws Exception {
		int port = this.servers.start((index) -> new DrippingServer(this.order));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("put"), "127.0.0.1", port, "POST", "/up")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		TestPolicies.h1(fragment.streamType("interim"), "127.0.0.1", port, "GET", "/interim")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.RETRY, null);
		return this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
	}

	private static final class DrippingServer extends FrameByFrameH2Server {

		private final Map<Integer, ByteArrayOutputStream> bodies = new HashMap<>();

		private final Map<Integer, Integer> requests = new HashMap<>();

		private final List<String> order;

		DrippingServer(List<String> order) {
			this.order = order;
		}

		@Override
		protected Http2Settings settings() {
			return new Http2Settings().initialWindowSize(0).maxConcurrentStreams(1).headerTableSize(0)
				.maxFrameSize(16_777_215);
		}

		@Override
		protected void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
			if ("/interim".contentEquals(headers.path())) {
				answerAfterInterims(ctx, streamId);
				return;
			}
			this.requests.put(streamId, this.requests.size() + 1);
			this.order.add("open " + this.requests.get(streamId));
			this.bodies.put(streamId, new ByteArrayOutputStream());
			writer().writeWindowUpdate(ctx, streamId, 1000, ctx.newPromise());
			ctx.flush();
		}

		private void answerAfterInterims(ChannelHandlerContext ctx, int streamId) {
			writer().writeHeaders(ctx, streamId, new DefaultHttp2Headers().status("100"), 0, false, ctx.newPromise());
			writer().writeHeaders(ctx, streamId, new DefaultHttp2Headers().status("103").add("link", "</a>"), 0,
					false, ctx.newPromise());
			writer().writeHeaders(ctx, streamId, new DefaultHttp2Headers().status("200"), 0, false, ctx.newPromise());
			writer().writeData(ctx, streamId, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII), 0, false,
					ctx.newPromise());
			writer().writeHeaders(ctx, streamId, new DefaultHttp2Headers().add("x-trailer", "t"), 0, true,
					ctx.newPromise());
			ctx.flush();
		}

		@Override
		protected void onData(ChannelHandlerContext ctx, int streamId, ByteBuf data, boolean endOfStream) {
			int n = data.readableBytes();
			byte[] bytes = new byte[n];
			data.getBytes(data.readerIndex(), bytes);
			this.bodies.get(streamId).writeBytes(bytes);
			// What was read is given back, to the stream only while its body goes on.
			if (n > 0) {
				writer().writeWindowUpdate(ctx, 0, n, ctx.newPromise());
				if (!endOfStream) {
					writer().writeWindowUpdate(ctx, streamId, n, ctx.newPromise());
				}
			}
			if (endOfStream) {
				byte[] all = this.bodies.get(streamId).toByteArray();
				CRC32 crc = new CRC32();
				crc.update(all);
				String answer = all.length + ":" + crc.getValue();
				this.order.add("end " + this.requests.get(streamId));
				writer().writeHeaders(ctx, streamId, new DefaultHttp2Headers().status("200"), 0, false,
						ctx.newPromise());
				writer().writeData(ctx, streamId, Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII), 0, true,
						ctx.newPromise());
			}
			ctx.flush();
		}

	}

}
