package io.securestreams.server.h2;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.testsupport.WsEchoHandler;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ws over h2 (RFC 8441) against a client that breaks the usual pattern, frame by frame with Netty's
 * h2 client codec: every accepted stream ends with DISCONNECTED, DESTROYING within seconds, when
 * the client ends its side by trailers, sends an unmasked frame or closes the connection under two
 * ws streams, and when the handler answers SERVER_UPGRADE with DISCONNECT_ME.
 */
class H2ServerWsHostileClientTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Map<Long, List<StreamState>> states = new ConcurrentHashMap<>();

	// What the handler answers SERVER_UPGRADE with.
	private volatile StreamResult atUpgrade = StreamResult.OK;

	@AfterEach
	void stopClient() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	/** Records every stream's states and echoes ws messages. */
	private final class Handler implements StreamHandler {

		private final WsEchoHandler echo = new WsEchoHandler();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			H2ServerWsHostileClientTests.this.states.computeIfAbsent(stream.id(), (id) -> new CopyOnWriteArrayList<>())
				.add(state);
			return (state == StreamState.SERVER_UPGRADE) ? H2ServerWsHostileClientTests.this.atUpgrade
					: StreamResult.OK;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			return this.echo.onRx(stream, payload, flags);
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			return this.echo.onTx(stream, slot);
		}

	}

	private SecureStream listen() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false).set(StreamTypeKey.WS_SUBPROTOCOL, "echo");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		return streams.create("srv", new Handler());
	}

	private Channel connect(SecureStream listener, H2ServerWsProtocolTests.Recorder recorder) throws Exception {
		Channel channel = new Bootstrap().group(this.clientLoop).channel(NioSocketChannel.class)
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel ch) {
					ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), recorder);
				}
			})
			.connect((InetSocketAddress) listener.localAddress())
			.sync()
			.channel();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> recorder.settingsSeen);
		return channel;
	}

	private static Http2FrameStream open(Channel channel, H2ServerWsProtocolTests.Recorder recorder, boolean end)
			throws Exception {
		Http2Headers headers = new DefaultHttp2Headers().method("CONNECT").path("/chat").scheme("http")
			.authority("127.0.0.1");
		headers.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
		headers.set("sec-websocket-version", "13");
		Http2FrameStream stream = channel.eventLoop().submit(recorder::stream).get();
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, end).stream(stream)).sync();
		return stream;
	}

	private void assertEnded(SecureStream listener) {
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		// The listener itself only went CREATING.
		assertThat(this.states.values()).filteredOn((states) -> states.size() > 1)
			.isNotEmpty()
			.allSatisfy((states) -> assertThat(states).endsWith(StreamState.DISCONNECTED, StreamState.DESTROYING));
	}

	@Test
	void trailersWithEndStreamEndTheWsStreamAsAnEmptyDataFrameDoes() throws Exception {
		SecureStream listener = listen();
		H2ServerWsProtocolTests.Recorder recorder = new H2ServerWsProtocolTests.Recorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream ws = open(channel, recorder, false);
		awaitEvent(recorder, "HEADERS 3 200 end=false");
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("x-trailer", "1"), true)
			.stream(ws)).sync();
		// The client's side has ended: ours ends too, without waiting for validity to give up.
		awaitEnd(recorder);
		assertEnded(listener);
		assertThat(recorder.events).noneMatch((event) -> event.startsWith("RST"));
		assertThat(channel.isActive()).isTrue();
	}

	@Test
	void anExtendedConnectWithEndStreamIsRefused() throws Exception {
		SecureStream listener = listen();
		H2ServerWsProtocolTests.Recorder recorder = new H2ServerWsProtocolTests.Recorder();
		Channel channel = connect(listener, recorder);
		open(channel, recorder, true);
		awaitEvent(recorder, "HEADERS 3 400 end=true");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(this.states.values()).noneMatch((states) -> states.contains(StreamState.SERVER_UPGRADE));
		assertThat(channel.isActive()).isTrue();
	}

	@Test
	void anUnmaskedFrameIsAnsweredWithClose1002AndEndsTheStream() throws Exception {
		SecureStream listener = listen();
		H2ServerWsProtocolTests.Recorder recorder = new H2ServerWsProtocolTests.Recorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream ws = open(channel, recorder, false);
		awaitEvent(recorder, "HEADERS 3 200 end=false");
		ByteBuf unmasked = Unpooled.buffer().writeByte(0x81).writeByte(2).writeByte('h').writeByte('i');
		channel.writeAndFlush(new DefaultHttp2DataFrame(unmasked, false).stream(ws)).sync();
		// A close frame with 1002 (protocol error), then the end of the server's side.
		awaitEvent(recorder, "DATA 3 880203ea");
		awaitEnd(recorder);
		assertEnded(listener);
	}

	@Test
	void closingTheConnectionEndsEveryWsStream() throws Exception {
		SecureStream listener = listen();
		H2ServerWsProtocolTests.Recorder recorder = new H2ServerWsProtocolTests.Recorder();
		Channel channel = connect(listener, recorder);
		open(channel, recorder, false);
		open(channel, recorder, false);
		awaitEvent(recorder, "HEADERS 5 200 end=false");
		channel.close().sync();
		assertEnded(listener);
	}

	@Test
	void disconnectMeAtServerUpgradeEndsTheStream() throws Exception {
		this.atUpgrade = StreamResult.DISCONNECT_ME;
		SecureStream listener = listen();
		H2ServerWsProtocolTests.Recorder recorder = new H2ServerWsProtocolTests.Recorder();
		Channel channel = connect(listener, recorder);
		open(channel, recorder, false);
		// The stream ends before its ws session started: no close frame, END_STREAM, then the reset.
		awaitEnd(recorder);
		assertEnded(listener);
	}

	// The event, or the same DATA frame carrying END_STREAM too.
	private static void awaitEvent(H2ServerWsProtocolTests.Recorder recorder, String event) {
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.stream()
				.anyMatch((seen) -> seen.equals(event) || seen.equals(event + " end")));
	}

	// The server's END_STREAM on stream 3, alone or on the frame before.
	private static void awaitEnd(H2ServerWsProtocolTests.Recorder recorder) {
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.stream()
				.anyMatch((seen) -> seen.startsWith("DATA 3 ") && seen.endsWith(" end")));
	}

}
