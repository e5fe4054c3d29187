package io.securestreams.protocol.ws;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.securestreams.SecureStream;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.EchoClientHandler;
import io.securestreams.testsupport.EchoPlan;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.HandRolledWsServer;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.SspcRelay;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ws client scenarios, run directly and through our Java proxy (every frame checked by the
 * relay: legal CONNSTATE sequences for the proxied client, TX_PAYLOAD of at most 4061 bytes,
 * RX_PAYLOAD of at most 1380). Through the proxy a message is re-chunked into those frames, with
 * SOM on the first and EOM on the last, and arrives as the same message.
 * <p>
 * The state sequences are the same in both modes, with two differences: the one the h1 scenarios
 * have too (reference §7.7), a stream started with {@code requestTx()} is connected by
 * ONWARD_CONNECT, which connects like {@code connect()}, without POLL; and a DISCONNECT_ME hangs up
 * the link to the proxy (reference §2), after which the stream waits to be asked to connect.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class WsScenarioTests {

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final Retries retries = new Retries();

	private StreamsUnderTest streams;

	/** Counts the backoffs the fulfilling context schedules. */
	static final class Retries implements StreamEventListener {

		volatile int scheduled;

		@Override
		public void retryScheduled(SecureStream stream, long delayMillis) {
			this.scheduled++;
		}

	}

	private boolean proxied() {
		return this.mode == Mode.PROXIED;
	}

	private void start(int port, String url, Consumer<StreamTypePolicy.Builder> more) {
		PolicyFragment fragment = TestPolicies.base();
		more.accept(TestPolicies.ws(fragment.streamType("ws"), port, url));
		Policy policy = fragment.build();
		this.streams = this.resources.start(this.mode, policy, (b) -> b.eventLoopThreads(2).listener(this.retries));
	}

	@Test
	void connectsAndEchoesAMessageWithMetadataAndSubprotocol() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer("echo-protocol", false)) {
			start(jetty.port(), "/echo", (b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("device", "x-device:"))));
			RecordingHandler handler = new RecordingHandler().send("hello ws".getBytes(), 1000);
			SecureStream stream = this.streams.streams().create("ws", handler);
			stream.setMetadata("device", "unit-7");
			stream.requestTx();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 8);
			assertThat(new String(handler.received())).isEqualTo("hello ws");
			assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
			// Proxied: ONWARD_CONNECT connects without POLL.
			assertThat(handler.stateNames()).containsExactly(proxied() ? new String[] { "CREATING", "CONNECTING",
					"CONNECTED" } : new String[] { "CREATING", "POLL", "CONNECTING", "CONNECTED" });
			assertThat(jetty.upgradeHeaders.get(0)).containsEntry("x-device", "unit-7")
				.containsEntry("sec-websocket-protocol", "echo-protocol");
			stream.destroy();
			handler.await(StreamState.DESTROYING, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).endsWith("CONNECTED", "DISCONNECTED", "DESTROYING");
		}
	}

	@Test
	void binaryMessagesEchoWithTheirBoundariesBothWays() throws Exception {
		echo(true);
	}

	@Test
	void textMessagesEchoWithTheirBoundariesBothWays() throws Exception {
		echo(false);
	}

	private void echo(boolean binary) throws Exception {
		try (JettyWsServer jetty = new JettyWsServer("echo-protocol", false)) {
			// The echo of a 256 KiB message comes faster than the client link takes it: the proxy
			// pauses the onward connection above 128 KiB held for the client (with the default
			// 32 KiB and no flow control it would disconnect it, as libwebsockets' proxy does).
			start(jetty.port(), "/echo", (b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.WS_BINARY, binary)
				.set(StreamTypeKey.PROXY_BUFLEN, 512L * 1024)
				.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 128L * 1024)
				.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 32L * 1024));
			List<byte[]> messages = EchoPlan.messages(300, !binary, binary ? 11 : 12);
			EchoClientHandler echo = new EchoClientHandler(messages);
			this.streams.streams().create("ws", echo).connect();
			Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> echo.done() || !echo.problems.isEmpty());
			assertThat(echo.problems).isEmpty();
			assertThat(echo.received()).isEqualTo(messages.size());
			assertThat(echo.states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED);
			if (proxied()) {
				assertMessagesTravelledAsFrames(messages);
			}
		}
	}

	@Test
	void aBurstOfSmallMessagesEchoesWholeWithTheDefaultProxyBuffer() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer("echo-protocol", false)) {
			// No proxy_buflen nor flow control: the client reads promptly, so the echoes of up to 64
			// messages in flight (about 100 KB) must pass the default 32 KiB proxy buffer. They once
			// overflowed it while waiting for the flush at the end of the proxy's event-loop run.
			start(jetty.port(), "/echo", (b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.WS_BINARY, true));
			Random sizes = new Random(21);
			List<byte[]> messages = new java.util.ArrayList<>();
			for (int i = 0; i < 500; i++) {
				byte[] message = new byte[1 + sizes.nextInt(3000)];
				sizes.nextBytes(message);
				messages.add(message);
			}
			EchoClientHandler echo = new EchoClientHandler(messages);
			this.streams.streams().create("ws", echo).connect();
			Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> echo.done() || !echo.problems.isEmpty()
					|| echo.states.contains(StreamState.DISCONNECTED));
			assertThat(echo.problems).isEmpty();
			assertThat(echo.states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.CONNECTED);
			assertThat(echo.received()).isEqualTo(messages.size());
		}
	}

	/**
	 * Checks the relay's record: the messages went to the proxy as TX_PAYLOAD frames and came
	 * back as RX_PAYLOAD frames, each message one run of frames from SOM to EOM.
	 */
	private void assertMessagesTravelledAsFrames(List<byte[]> messages) {
		SspcRelay.Link link = this.streams.relay().links().get(0);
		assertThat(messageSizes(link.toProxy, 0xad)).isEqualTo(messages.stream().map((m) -> m.length).toList());
		assertThat(messageSizes(link.toClient, 0x55)).isEqualTo(messages.stream().map((m) -> m.length).toList());
	}

	private static List<Integer> messageSizes(List<FrameReader.Frame> frames, int type) {
		java.util.ArrayList<Integer> sizes = new java.util.ArrayList<>();
		int size = -1;
		for (FrameReader.Frame frame : frames) {
			if (frame.type() != type) {
				continue;
			}
			byte[] body = frame.body();
			int flags = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8)
					| (body[3] & 0xff);
			int payload = body.length - 16;
			if (StreamFlags.has(flags, StreamFlags.SOM)) {
				assertThat(size).as("SOM inside a message").isEqualTo(-1);
				size = 0;
			}
			assertThat(size).as("payload outside a message").isGreaterThanOrEqualTo(0);
			size += payload;
			if (StreamFlags.has(flags, StreamFlags.EOM)) {
				sizes.add(size);
				size = -1;
			}
		}
		return sizes;
	}

	@Test
	void aDifferentSubprotocolFailsEachAttemptUntilTheRetriesAreSpent() throws Exception {
		try (HandRolledWsServer server = new HandRolledWsServer("other-protocol")) {
			start(server.port(), "/", (b) -> b.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
				.set(StreamTypeKey.RETRY, "once"));
			RecordingHandler handler = new RecordingHandler();
			this.streams.streams().create("ws", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
					"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
			assertThat(server.connections()).isEqualTo(2);
			assertThat(server.requests.get(0)).containsIgnoringCase("sec-websocket-protocol: echo-protocol");
		}
	}

	@Test
	void reconnectsWithBackoffWhenTheServerCloses() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(jetty.port(), "/close", (b) -> {
			});
			RecordingHandler handler = new RecordingHandler();
			this.streams.streams().create("ws", handler).connect();
			handler.await(StreamState.CONNECTED, 3, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).startsWith("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
					"CONNECTING", "CONNECTED", "DISCONNECTED", "POLL", "CONNECTING", "CONNECTED");
			assertThat(this.retries.scheduled).isGreaterThanOrEqualTo(2);
		}
	}

	@Test
	void anOpportunisticStreamStaysIdleAfterTheServerCloses() throws Exception {
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(jetty.port(), "/close", (b) -> b.set(StreamTypeKey.OPPORTUNISTIC, true));
			RecordingHandler handler = new RecordingHandler()
				.onState((s, state) -> (state == StreamState.DISCONNECTED) ? timeoutSoon(s) : StreamResult.OK);
			this.streams.streams().create("ws", handler).connect();
			// The timer fires on the fulfilling stream's loop after the close was handled there, so
			// by TIMEOUT any reconnection would have been scheduled.
			handler.await(StreamState.TIMEOUT, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED",
					"TIMEOUT");
			assertThat(this.retries.scheduled).isZero();
			assertThat(jetty.sessions.get()).isEqualTo(1);
		}
	}

	@Test
	void disconnectMeFromRxReconnectsByItselfOnlyWhenDirect() throws Exception {
		// Proxied, DISCONNECT_ME hangs up the link (reference section 2), and the onward stream of
		// the new link has no connection to restore: the application asks for one.
		try (JettyWsServer jetty = new JettyWsServer(null, false)) {
			start(jetty.port(), "/echo", (b) -> {
			});
			AtomicInteger rxCalls = new AtomicInteger();
			RecordingHandler handler = new RecordingHandler() {

				@Override
				public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
					super.onRx(stream, payload, flags);
					return (rxCalls.getAndIncrement() == 0) ? StreamResult.DISCONNECT_ME : StreamResult.OK;
				}

			}.send("one".getBytes(), 1000);
			SecureStream stream = this.streams.streams().create("ws", handler);
			stream.connect();
			handler.await(StreamState.CONNECTED, Duration.ofSeconds(10));
			stream.requestTx();
			handler.await(StreamState.DISCONNECTED, Duration.ofSeconds(10));
			if (proxied()) {
				Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
					.until(() -> handler.states.size() == 4);
				assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED");
				stream.connect();
			}
			handler.await(StreamState.CONNECTED, 2, Duration.ofSeconds(10));
			handler.send("two".getBytes(), 1000);
			stream.requestTx();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handler.received().length == 6);
			assertThat(new String(handler.received())).isEqualTo("onetwo");
			assertThat(handler.stateNames()).startsWith(proxied() ? new String[] { "CREATING", "CONNECTING",
					"CONNECTED", "DISCONNECTED", "CONNECTING", "CONNECTED" } : new String[] { "CREATING", "CONNECTING",
							"CONNECTED", "DISCONNECTED", "POLL", "CONNECTING", "CONNECTED" });
		}
	}

	private static StreamResult timeoutSoon(SecureStream stream) {
		stream.startTimeout(50);
		return StreamResult.OK;
	}

}
