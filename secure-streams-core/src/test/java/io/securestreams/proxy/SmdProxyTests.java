package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.Unpooled;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.FrameType;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.smd.SmdBus;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.ProxyUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built-in {@code _lws_smd} streamtype through the proxy (reference §7.9): the STREAMTYPE
 * frame's credit field is the class mask, and the proxy's bus reaches every linked client both
 * ways, with our proxied client and with a client speaking the wire frame by frame.
 */
class SmdProxyTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<SmdMessage> onProxyBus = new CopyOnWriteArrayList<>();

	@TempDir
	Path temp;

	private ProxyUnderTest harness;

	private SecureStreams context;

	private SecureStreamsProxy proxy;

	private SecureStreams client;

	@BeforeEach
	void start() {
		this.harness = new ProxyUnderTest(TestPolicies.base().build(), this.temp);
		this.context = this.harness.context();
		this.proxy = this.harness.proxy();
		this.client = this.harness.client();
		this.context.smd().subscribe(SmdClass.ALL, Runnable::run, this.onProxyBus::add);
	}

	@AfterEach
	void stop() {
		this.harness.close();
	}

	private static byte[] message(long smdClass, String text) {
		return new SmdMessage(smdClass, 0, text.getBytes(StandardCharsets.UTF_8)).encode();
	}

	private static String onlyText(RecordingHandler handler) {
		assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		return SmdMessage.decode(ByteBuffer.wrap(handler.received())).text();
	}

	@Test
	void proxiedSmdStreamsShareTheProxysBusBothWays() {
		RecordingHandler first = new RecordingHandler();
		RecordingHandler second = new RecordingHandler();
		SecureStream sending = this.client.createSmd(SmdClass.NETWORK, first);
		this.client.createSmd(SmdClass.NETWORK | SmdClass.SYSTEM_STATE, second);
		first.await(StreamState.CONNECTED, WAIT);
		second.await(StreamState.CONNECTED, WAIT);
		assertThat(first.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		await().atMost(WAIT).until(() -> this.context.smd().subscriptions() == 3);
		this.context.smd().publish(SmdClass.SYSTEM_STATE, "state");
		await().atMost(WAIT).until(() -> second.rxFlags.size() == 1);
		assertThat(onlyText(second)).isEqualTo("state");
		first.send(message(SmdClass.NETWORK, "from the first"), 1000);
		sending.requestTx();
		await().atMost(WAIT).until(() -> this.onProxyBus.size() == 2 && second.rxFlags.size() == 2);
		assertThat(this.onProxyBus.get(1).text()).isEqualTo("from the first");
		// Its mask has the class: its own message comes back, as through libwebsockets' proxy
		// (whose SMD example counts those echoes: half of what it sends, the NETWORK half).
		await().atMost(WAIT).until(() -> first.rxFlags.size() == 1);
		assertThat(onlyText(first)).isEqualTo("from the first");
	}

	@Test
	void aClientSpeakingTheWireGetsTheFramesOfLibwebsocketsProxy() throws Exception {
		try (SocketChannel link = this.harness.connectRaw();
				CapturedLogs logs = new CapturedLogs("io.securestreams.proxy")) {
			FrameReader frames = new FrameReader(link);
			FrameReader.write(link, SsWire.toBytes(new ToProxy.StreamType(1, 42, (int) SmdClass.NETWORK, "_lws_smd")));
			FrameReader.Frame created = frames.next();
			assertThat(created.type()).isEqualTo(FrameType.CREATE_RESULT.code());
			// Success, a client buffer of 0 (the client's default), and the leading-comma list.
			assertThat(HexFormat.of().formatHex(created.body())).isEqualTo("00" + "00000000"
					+ HexFormat.of().formatHex(",_lws_smd".getBytes(StandardCharsets.US_ASCII)));
			for (StreamState state : List.of(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED)) {
				FrameReader.Frame frame = frames.next();
				assertThat(frame.type()).isEqualTo(FrameType.CONNSTATE.code());
				assertThat(frame.state()).isEqualTo(state.value());
			}
			await().atMost(WAIT).until(() -> this.context.smd().subscriptions() == 2);
			this.context.smd().publish(SmdClass.SYSTEM_STATE, "not for it");
			this.context.smd().publish(SmdClass.NETWORK, "{\"type\":\"cpd\",\"result\":\"OK\"}");
			FrameReader.Frame rx = frames.next();
			assertThat(rx.type()).isEqualTo(FrameType.RX_PAYLOAD.code());
			ByteBuffer body = ByteBuffer.wrap(rx.body());
			assertThat(body.getInt()).isEqualTo(StreamFlags.SOM | StreamFlags.EOM);
			body.position(16);
			SmdMessage received = SmdMessage.decode(body);
			assertThat(received.smdClass()).isEqualTo(SmdClass.NETWORK);
			assertThat(received.text()).isEqualTo("{\"type\":\"cpd\",\"result\":\"OK\"}");

			long before = SmdBus.nowMicros();
			FrameReader.write(link, SsWire.toBytes(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0,
					Unpooled.wrappedBuffer(message(SmdClass.user(1), "from the wire")))));
			await().atMost(WAIT).until(() -> this.onProxyBus.size() == 3);
			assertThat(this.onProxyBus.get(2).smdClass()).isEqualTo(SmdClass.user(1));
			assertThat(this.onProxyBus.get(2).text()).isEqualTo("from the wire");
			assertThat(this.onProxyBus.get(2).timestampMicros()).isGreaterThanOrEqualTo(before);
			// A message of a class in its own mask comes back to the link that sent it (the user
			// class above did not), as libwebsockets' proxy publishes it to its whole bus.
			FrameReader.write(link, SsWire.toBytes(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0,
					Unpooled.wrappedBuffer(message(SmdClass.NETWORK, "echoed")))));
			FrameReader.Frame echo = frames.next();
			assertThat(echo.type()).isEqualTo(FrameType.RX_PAYLOAD.code());
			ByteBuffer echoed = ByteBuffer.wrap(echo.body());
			echoed.position(16);
			assertThat(SmdMessage.decode(echoed).text()).isEqualTo("echoed");

			FrameReader.write(link,
					SsWire.toBytes(new ToProxy.TxPayload(0, 0, 0, Unpooled.wrappedBuffer(new byte[5]))));
			assertThat(logs.await("hanging up", "got 5 bytes")).contains("_lws_smd");
			await().atMost(WAIT).until(() -> this.context.smd().subscriptions() == 1);
		}
	}

	@Test
	void closingTheProxyClosesItsSmdLinksAndLeavesTheBus() {
		RecordingHandler handler = new RecordingHandler();
		this.client.createSmd(SmdClass.NETWORK, handler);
		handler.await(StreamState.CONNECTED, WAIT);
		await().atMost(WAIT).until(() -> this.context.smd().subscriptions() == 2);
		// The context is not the proxy's: it lives on, and so would any link left open.
		this.proxy.close();
		handler.await(StreamState.DISCONNECTED, WAIT);
		await().atMost(WAIT).until(() -> this.context.smd().subscriptions() == 1 && this.proxy.links().isEmpty());
		this.context.smd().publish(SmdClass.NETWORK, "after the proxy closed");
		assertThat(handler.rxFlags).isEmpty();
	}


}
