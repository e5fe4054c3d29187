package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyParser;
import io.securestreams.proxy.wire.FrameType;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.sink.SinkRegistration;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.EchoSink;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ProxyUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Local sinks served to proxied clients: a client's stream of a {@code local_sink} streamtype is
 * paired with the sink registered in the proxy's process, as libwebsockets' proxy binds its
 * clients to its sinks, and payload flows both ways through the link.
 */
class ProxiedSinkTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String POLICY = """
			{ "release": "1", "product": "p", "schema-version": 1,
			  "s": [ { "sink_hello_world": { "local_sink": true } } ] }
			""";

	@TempDir
	Path temp;

	private ProxyUnderTest harness;

	private SecureStreams context;

	private SecureStreamsProxy proxy;

	private SecureStreams client;

	@BeforeEach
	void start() {
		Policy policy = new PolicyParser().parse("<sink>", POLICY.getBytes(StandardCharsets.UTF_8)).policy();
		this.harness = new ProxyUnderTest(policy, this.temp);
		this.context = this.harness.context();
		this.proxy = this.harness.proxy();
		this.client = this.harness.client();
	}

	@AfterEach
	void stop() {
		this.harness.close();
	}

	@Test
	void aProxiedSourceTalksToTheSinkOfTheProxysProcessBothWays() {
		EchoSink sink = new EchoSink();
		try (SinkRegistration registration = this.context.registerSink("sink_hello_world", sink)) {
			RecordingHandler source = new RecordingHandler();
			SecureStream stream = this.client.create("sink_hello_world", source);
			source.await(StreamState.CONNECTED, WAIT);
			assertThat(source.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
			source.send("hello sink".getBytes(StandardCharsets.UTF_8), 1000);
			stream.requestTx();
			await().atMost(WAIT).until(() -> "From Sink: hello sink".equals(text(source)));
			assertThat(text(sink)).isEqualTo("hello sink");
			assertThat(sink.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED");
			assertThat(registration.joined()).isEqualTo(1);
			stream.destroy();
			// The link closes, the proxy's source goes, and the sink stream with it.
			sink.await(StreamState.DESTROYING, WAIT);
			await().atMost(WAIT).until(() -> registration.joined() == 0);
		}
	}

	@Test
	void aClientSpeakingTheWireGetsASinkAsFromLibwebsocketsProxy() throws Exception {
		EchoSink sink = new EchoSink();
		try (SinkRegistration registration = this.context.registerSink("sink_hello_world", sink);
				SocketChannel link = this.harness.connectRaw()) {
			FrameReader frames = new FrameReader(link);
			FrameReader.write(link, SsWire.toBytes(new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT,
					"sink_hello_world")));
			FrameReader.Frame created = frames.next();
			assertThat(created.type()).isEqualTo(FrameType.CREATE_RESULT.code());
			assertThat(created.body()[0]).isZero();
			assertThat(new String(created.body(), 5, created.body().length - 5, StandardCharsets.US_ASCII))
				.isEqualTo(",sink_hello_world");
			for (StreamState state : List.of(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED)) {
				FrameReader.Frame frame = frames.next();
				assertThat(frame.type()).isEqualTo(FrameType.CONNSTATE.code());
				assertThat(frame.state()).isEqualTo(state.value());
			}
			FrameReader.write(link, SsWire.toBytes(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0,
					Unpooled.wrappedBuffer("from C".getBytes(StandardCharsets.UTF_8)))));
			FrameReader.Frame rx = frames.next();
			assertThat(rx.type()).isEqualTo(FrameType.RX_PAYLOAD.code());
			ByteBuffer body = ByteBuffer.wrap(rx.body());
			assertThat(body.getInt()).isEqualTo(StreamFlags.SOM | StreamFlags.EOM);
			body.position(16);
			assertThat(StandardCharsets.UTF_8.decode(body).toString()).isEqualTo("From Sink: from C");
			assertThat(text(sink)).isEqualTo("from C");
			assertThat(registration.joined()).isEqualTo(1);
		}
		// The link closed: the sink stream went with it.
		sink.await(StreamState.DESTROYING, WAIT);
	}

	@Test
	void withoutARegisteredSinkTheProxyRefusesTheCreationAndSaysWhy() {
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			RecordingHandler source = new RecordingHandler();
			SecureStream stream = this.client.create("sink_hello_world", source);
			assertThat(logs.await("stream creation failed", "none is registered")).contains("sink_hello_world");
			assertThat(source.states).doesNotContain(StreamState.CONNECTED);
			stream.destroy();
		}
	}

	private static String text(RecordingHandler handler) {
		return new String(handler.received(), StandardCharsets.UTF_8);
	}

}
