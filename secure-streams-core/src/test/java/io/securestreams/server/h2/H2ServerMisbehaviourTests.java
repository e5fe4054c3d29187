package io.securestreams.server.h2;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPki;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2 clients that break the rules or stall, driven frame by frame with Netty's h2 client codec:
 * an error of one stream resets that stream only, a connection error is answered with GOAWAY and
 * its code, a rejected request is reset after its answer, stalled requests are reset, and
 * {@code expect: 100-continue} is honoured.
 */
class H2ServerMisbehaviourTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final RoutingServerHandler handler = new RoutingServerHandler();

	@AfterEach
	void stopClient() {
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	private SecureStream listen(boolean tls, Duration timeout) {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, tls);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(2)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(timeout)));
		return streams.create("srv", this.handler);
	}

	/** Records what the server sends: frames of every stream, resets, GOAWAY and the close. */
	static final class FrameRecorder extends Http2ChannelDuplexHandler {

		final List<String> events = new CopyOnWriteArrayList<>();

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			try {
				if (msg instanceof Http2HeadersFrame headers) {
					this.events.add("HEADERS " + headers.stream().id() + " " + headers.headers().status() + " end="
							+ headers.isEndStream());
				}
				else if (msg instanceof Http2DataFrame data && data.content().isReadable()) {
					this.events.add("DATA " + data.stream().id() + " "
							+ data.content().toString(StandardCharsets.UTF_8));
				}
				else if (msg instanceof Http2ResetFrame reset) {
					this.events.add("RST " + reset.stream().id() + " " + reset.errorCode());
				}
				else if (msg instanceof Http2GoAwayFrame goAway) {
					this.events.add("GOAWAY " + goAway.errorCode());
				}
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			this.events.add("CLOSED");
			ctx.fireChannelInactive();
		}

		Http2FrameStream stream() {
			return newStream();
		}

	}

	private Channel connect(SecureStream listener, FrameRecorder recorder) throws InterruptedException {
		return new Bootstrap().group(this.clientLoop)
			.channel(NioSocketChannel.class)
			.handler(new ChannelInitializer<>() {
				@Override
				protected void initChannel(Channel channel) {
					channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), recorder);
				}
			})
			.connect((InetSocketAddress) listener.localAddress())
			.sync()
			.channel();
	}

	private static Http2FrameStream newStream(Channel channel, FrameRecorder recorder) throws Exception {
		return channel.eventLoop().submit(recorder::stream).get();
	}

	private static DefaultHttp2Headers post(String path) {
		return (DefaultHttp2Headers) new DefaultHttp2Headers().method("POST").path(path).scheme("http")
			.authority("127.0.0.1");
	}

	private static void send(Channel channel, Http2FrameStream stream, String data, boolean end) throws Exception {
		channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(data, StandardCharsets.UTF_8), end)
			.stream(stream)).sync();
	}

	@Test
	void anErrorOfOneStreamResetsThatStreamAloneAndTheOthersAreAnswered() throws Exception {
		SecureStream listener = listen(false, Duration.ofSeconds(10));
		FrameRecorder recorder = new FrameRecorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream a = newStream(channel, recorder);
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(post("/echo"), false).stream(a)).sync();
		send(channel, a, "x", false);
		Http2FrameStream b = newStream(channel, recorder);
		DefaultHttp2Headers lying = post("/echo");
		lying.set("content-length", "1");
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(lying, false).stream(b)).sync();
		// Two bytes where content-length said one: a stream error (PROTOCOL_ERROR, code 1).
		send(channel, b, "ab", true);
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(recorder.events).contains("RST 5 1"));
		send(channel, a, "y", true);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> recorder.events.contains("DATA 3 xy"));
		assertThat(recorder.events).contains("HEADERS 3 201 end=false").noneMatch((e) -> e.startsWith("GOAWAY"))
			.doesNotContain("CLOSED");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
	}

	@Test
	void aConnectionErrorIsAnsweredWithGoAwayAndItsCode() throws Exception {
		SecureStream listener = listen(false, Duration.ofSeconds(10));
		try (LogCapture logs = new LogCapture();
				Socket broken = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
			OutputStream out = broken.getOutputStream();
			out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			// A frame header announcing a 16 MiB SETTINGS frame: beyond the default max frame size.
			out.write(new byte[] { (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x04, 0, 0, 0, 0, 0 });
			out.flush();
			broken.setSoTimeout(10_000);
			byte[] answer = broken.getInputStream().readAllBytes();
			int goAwayCode = -1;
			for (int at = 0; at + 9 <= answer.length;) {
				int length = ((answer[at] & 0xff) << 16) | ((answer[at + 1] & 0xff) << 8) | (answer[at + 2] & 0xff);
				if ((answer[at + 3] & 0xff) == 7) {
					goAwayCode = java.nio.ByteBuffer.wrap(answer, at + 13, 4).getInt();
				}
				at += 9 + length;
			}
			// FRAME_SIZE_ERROR
			assertThat(goAwayCode).isEqualTo(6);
			assertThat(logs.messages()).anySatisfy((line) -> assertThat(line).contains("cutting off the connection")
				.containsIgnoringCase("frame length"));
		}
	}

	@Test
	void anAsteriskPathIsRefusedButForOptionsAndARelativeOneAlways() throws Exception {
		// RFC 9113 section 8.3.1: ':path' '*' is for a server-wide OPTIONS only; others start with '/'.
		SecureStream listener = listen(false, Duration.ofSeconds(10));
		FrameRecorder recorder = new FrameRecorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream get = newStream(channel, recorder);
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(post("*").method("GET"), true).stream(get)).sync();
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 3 400 end=true"));
		Http2FrameStream options = newStream(channel, recorder);
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(post("*").method("OPTIONS"), true).stream(options)).sync();
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.stream().anyMatch((event) -> event.startsWith("HEADERS 5 ")));
		assertThat(recorder.events).noneMatch((event) -> event.startsWith("HEADERS 5 400"));
		Http2FrameStream relative = newStream(channel, recorder);
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(post("hello").method("GET"), true).stream(relative)).sync();
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> recorder.events.contains("HEADERS 7 400 end=true"));
	}

	@Test
	void aRejectedRequestIsAnsweredThenResetAndItsStreamEnds() throws Exception {
		SecureStream listener = listen(false, Duration.ofSeconds(10));
		FrameRecorder recorder = new FrameRecorder();
		Channel channel = connect(listener, recorder);
		Http2FrameStream stream = newStream(channel, recorder);
		channel.writeAndFlush(new DefaultHttp2HeadersFrame(post("/%zz"), false).stream(stream)).sync();
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> recorder.events.contains("RST 3 0"));
		assertThat(recorder.events).startsWith("HEADERS 3 400 end=true");
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
		assertThat(this.handler.acceptedStates(listener).values()).singleElement()
			.satisfies((states) -> assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.DISCONNECTED, StreamState.DESTROYING));
	}

	@Test
	void requestsThatStopArrivingAreResetWhileTheConnectionStays() throws Exception {
		SecureStream listener = listen(false, Duration.ofMillis(500));
		FrameRecorder recorder = new FrameRecorder();
		Channel channel = connect(listener, recorder);
		try (LogCapture logs = new LogCapture()) {
			for (int i = 0; i < 100; i++) {
				channel.writeAndFlush(new DefaultHttp2HeadersFrame(post("/echo"), false)
					.stream(newStream(channel, recorder))).sync();
			}
			// Every stream reset with CANCEL (code 8); the connection itself stays up.
			Awaitility.await().atMost(Duration.ofSeconds(10))
				.until(() -> recorder.events.stream()
					.filter((e) -> e.startsWith("RST ") && e.endsWith(" 8"))
					.count() == 100);
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> listener.acceptedStreams().isEmpty());
			assertThat(channel.isActive()).isTrue();
			assertThat(logs.messages()).anySatisfy(
					(line) -> assertThat(line).contains("cutting off the stream: no request frame within 500 ms"));
		}
	}

	@Test
	void expectContinueIsAnsweredSoTheClientSendsItsBody() throws Exception {
		SecureStream listener = listen(true, Duration.ofSeconds(10));
		SSLContext ssl = SSLContext.getInstance("TLS");
		ssl.init(null, TestPki.ca().toTrustManagerFactory().getTrustManagers(), null);
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ssl).build();
		HttpResponse<String> response = client
			.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
					+ ((InetSocketAddress) listener.localAddress()).getPort() + "/echo"))
				.expectContinue(true)
				.POST(HttpRequest.BodyPublishers.ofString("hello"))
				.build(), HttpResponse.BodyHandlers.ofString())
			.get(10, TimeUnit.SECONDS);
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(response.body()).isEqualTo("hello");
	}

}
