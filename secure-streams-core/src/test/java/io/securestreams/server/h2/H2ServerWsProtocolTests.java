package io.securestreams.server.h2;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ws over h2 (RFC 8441) frame by frame with Netty's h2 client codec: the SETTINGS offer extended
 * CONNECT only with {@code ws_subprotocol}, CONNECTs that are not ws upgrades this stream accepts
 * get 400 and a reset, a ws stream shares its connection with http requests, and a reset from the
 * client ends the ws stream.
 */
class H2ServerWsProtocolTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final H2ServerWsTests.Upgrades handler = new H2ServerWsTests.Upgrades();

	@AfterEach
	void stopClient() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	/** Records the server's SETTINGS and, per stream, its HEADERS, DATA (as hex) and resets. */
	static final class Recorder extends Http2ChannelDuplexHandler {

		final List<String> events = new CopyOnWriteArrayList<>();

		volatile Boolean connectProtocol;

		volatile boolean settingsSeen;

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			try {
				if (msg instanceof Http2SettingsFrame settings) {
					this.connectProtocol = settings.settings().connectProtocolEnabled();
					this.settingsSeen = true;
				}
				else if (msg instanceof Http2HeadersFrame headers) {
					CharSequence subprotocol = headers.headers().get("sec-websocket-protocol");
					this.events.add("HEADERS " + headers.stream().id() + " " + headers.headers().status()
							+ ((subprotocol != null) ? " " + subprotocol : "") + " end=" + headers.isEndStream());
				}
				else if (msg instanceof Http2DataFrame data) {
					this.events.add("DATA " + data.stream().id() + " "
							+ io.netty.buffer.ByteBufUtil.hexDump(data.content())
							+ (data.isEndStream() ? " end" : ""));
				}
				else if (msg instanceof Http2ResetFrame reset) {
					this.events.add("RST " + reset.stream().id() + " " + reset.errorCode());
				}
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
		}

		Http2FrameStream stream() {
			return newStream();
		}

	}

	private SecureStream listen(boolean ws) {
		PolicyFragment fragment = TestPolicies.base();
		StreamTypePolicy.Builder type = TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false);
		if (ws) {
			// A list, as libwebsockets policies may give: each name is accepted.
			type.set(StreamTypeKey.WS_SUBPROTOCOL, "echo, chat");
		}
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		return streams.create("srv", this.handler);
	}

	private Channel connect(SecureStream listener, Recorder recorder) throws Exception {
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

	private static Http2FrameStream open(Channel channel, Recorder recorder, Http2Headers headers) throws Exception {
		Http2FrameStream stream = channel.eventLoop().submit(recorder::stream).get();
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false).stream(stream)).sync();
		return stream;
	}

	private static Http2Headers connectFor(String protocol, String version, String subprotocols) {
		Http2Headers headers = new DefaultHttp2Headers().method("CONNECT").path("/chat").scheme("http")
			.authority("127.0.0.1");
		if (protocol != null) {
			headers.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), protocol);
		}
		headers.set("sec-websocket-version", version);
		if (subprotocols != null) {
			headers.set("sec-websocket-protocol", subprotocols);
		}
		return headers;
	}

	/** A masked client TEXT frame (payload below 126 bytes). */
	private static ByteBuf maskedText(String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		byte[] mask = { 0x11, 0x22, 0x33, 0x44 };
		ByteBuf frame = Unpooled.buffer().writeByte(0x81).writeByte(0x80 | payload.length).writeBytes(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.writeByte(payload[i] ^ mask[i % 4]);
		}
		return frame;
	}

	private static String unmaskedTextHex(String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		return io.netty.buffer.ByteBufUtil.hexDump(Unpooled.buffer().writeByte(0x81).writeByte(payload.length)
			.writeBytes(payload));
	}

	@Test
	void extendedConnectIsOfferedOnlyWithAWsSubprotocol() throws Exception {
		Recorder plain = new Recorder();
		connect(listen(false), plain);
		assertThat(plain.connectProtocol).isNull();
		Recorder ws = new Recorder();
		connect(listen(true), ws);
		assertThat(ws.connectProtocol).isTrue();
	}

	@Test
	void connectsThatAreNotAcceptableWsUpgradesGet400AndAReset() throws Exception {
		SecureStream listener = listen(true);
		Recorder recorder = new Recorder();
		Channel channel = connect(listener, recorder);
		open(channel, recorder, connectFor("chat", "13", null));
		open(channel, recorder, connectFor(null, "13", null));
		open(channel, recorder, connectFor("websocket", "12", "echo"));
		open(channel, recorder, connectFor("websocket", "13", "other, more"));
		for (int id : List.of(3, 5, 7, 9)) {
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> recorder.events.contains("RST " + id + " 0"));
			assertThat(recorder.events).contains("HEADERS " + id + " 400 end=true");
		}
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(this.handler.states.values()).noneMatch((states) -> states.contains(StreamState.SERVER_UPGRADE));
	}

	@Test
	void aWsStreamSharesItsConnectionWithRequestsAndEndsWhenReset() throws Exception {
		SecureStream listener = listen(true);
		Recorder recorder = new Recorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream ws = open(channel, recorder, connectFor("websocket", "13", "other, echo"));
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 3 200 echo end=false"));
		channel.writeAndFlush(new DefaultHttp2DataFrame(maskedText("first"), false).stream(ws)).sync();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("DATA 3 " + unmaskedTextHex("first")));
		Http2FrameStream get = channel.eventLoop().submit(recorder::stream).get();
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").path("/hello?name=x")
			.scheme("http").authority("127.0.0.1"), true).stream(get)).sync();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 5 200 end=false"));
		channel.writeAndFlush(new DefaultHttp2DataFrame(maskedText("second"), false).stream(ws)).sync();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("DATA 3 " + unmaskedTextHex("second")));
		assertThat(listener.acceptedStreams()).hasSize(1);
		channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(ws)).sync();
		// The reset ends the ws stream (DISCONNECTED) and leaves the connection up.
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(channel.isActive()).isTrue();
		assertThat(this.handler.states.values()).filteredOn((states) -> states.contains(StreamState.SERVER_UPGRADE))
			.singleElement()
			.satisfies((states) -> assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED, StreamState.SERVER_UPGRADE));
		// The request's own method, where the http/1.1 upgrade gives GET (docs/servers.md).
		assertThat(this.handler.upgradeRequests).containsExactly("CONNECT /chat");
		channel.close().sync();
	}

	@Test
	void theClientsFirstSubprotocolTheListAcceptsIsTheAnswer() throws Exception {
		SecureStream listener = listen(true);
		Recorder recorder = new Recorder();
		Channel channel = connect(listener, recorder);
		open(channel, recorder, connectFor("websocket", "13", "superchat, chat, echo"));
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 3 200 chat end=false"));
		channel.close().sync();
	}

	// RFC 6455 section 11.3.4: several sec-websocket-protocol fields mean one list, as on http/1.1.
	@Test
	void subprotocolsOfferedInSeveralFieldsAreOneList() throws Exception {
		SecureStream listener = listen(true);
		Recorder recorder = new Recorder();
		Channel channel = connect(listener, recorder);
		Http2Headers headers = connectFor("websocket", "13", "superchat");
		headers.add("sec-websocket-protocol", "chat");
		open(channel, recorder, headers);
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 3 200 chat end=false"));
		channel.close().sync();
	}

	@Test
	void theClosingHandshakeEndsTheStreamWithEndStream() throws Exception {
		SecureStream listener = listen(true);
		Recorder recorder = new Recorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream ws = open(channel, recorder, connectFor("websocket", "13", null));
		// No subprotocol offered: accepted without one, as on the http/1.1 path.
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 3 200 end=false"));
		byte[] mask = { 1, 2, 3, 4 };
		// A masked close frame with status 1000.
		ByteBuf close = Unpooled.buffer().writeByte(0x88).writeByte(0x82).writeBytes(mask).writeByte(0x03 ^ 1)
			.writeByte(0xe8 ^ 2);
		channel.writeAndFlush(new DefaultHttp2DataFrame(close, false).stream(ws)).sync();
		// The server answers with its close frame, then ends its side of the stream.
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> recorder.events.contains("DATA 3  end"));
		assertThat(recorder.events).contains("DATA 3 880203e8");
		channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true).stream(ws)).sync();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(recorder.events).noneMatch((event) -> event.startsWith("RST"));
		channel.close().sync();
	}

}
