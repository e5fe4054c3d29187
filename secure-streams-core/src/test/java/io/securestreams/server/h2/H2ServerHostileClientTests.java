package io.securestreams.server.h2;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
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
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RawH2Client;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The well-known HTTP/2 denial-of-service patterns against an h2 listener, each played by a
 * frame-by-frame client: the server bounds what the client costs it and cuts the client off with
 * a log line naming the reason, while another client on its own connection keeps being served.
 */
class H2ServerHostileClientTests {

	private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();

	private static final long REFUSED_STREAM = Http2Error.REFUSED_STREAM.code();

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

	private final BigResponses handler = new BigResponses();

	private SecureStream listener;

	private RawH2Client bystander;

	private LogCapture logs;

	@BeforeEach
	void listen() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H2, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
			.eventLoopThreads(2)
			.limits(ProtocolLimits.DEFAULTS.withHandshakeTimeout(Duration.ofSeconds(10))));
		this.listener = streams.create("srv", this.handler);
		this.bystander = connect(true);
		this.logs = new LogCapture();
	}

	@AfterEach
	void stopClients() {
		this.logs.close();
		this.clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
	}

	private RawH2Client connect(boolean ackSettings) throws InterruptedException {
		return connect(new Http2Settings(), ackSettings);
	}

	private RawH2Client connect(Http2Settings settings, boolean ackSettings) throws InterruptedException {
		RawH2Client client = RawH2Client.connect(this.clientLoop, address(), settings, ackSettings);
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.events.contains("SETTINGS"));
		return client;
	}

	private SocketAddress address() {
		return this.listener.localAddress();
	}

	/** The other client, on its own connection, is answered and still connected. */
	private void assertBystanderServed() throws Exception {
		int id = this.bystander.get("/hello?name=bystander");
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> this.bystander.events.contains("HEADERS " + id + " 200 end=false"));
		assertThat(this.bystander.isActive()).isTrue();
	}

	/**
	 * Waits for the server to close the connection. Its GOAWAY, when it arrives, carries the code:
	 * a server that closes with the flood partly unread resets the TCP connection, and the reset
	 * may overtake the GOAWAY.
	 */
	private static void awaitCutOff(RawH2Client client, long goAwayCode) {
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.events.contains("CLOSED"));
		assertThat(client.events).filteredOn((event) -> event.startsWith("GOAWAY "))
			.allMatch(("GOAWAY " + goAwayCode)::equals);
	}

	private void assertLogged(String reason) {
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.logs.messages()).anySatisfy((line) -> assertThat(line)
				.contains("cutting off the connection").containsIgnoringCase(reason)));
	}

	private int acceptedStreams() {
		return this.handler.acceptedStates(this.listener).size();
	}

	private static long count(List<String> events, String prefix) {
		return events.stream().filter((event) -> event.startsWith(prefix + " ")).count();
	}

	@Test
	void rapidResetIsCutOffAfterTwoHundredResetsEachAnAcceptedStream() throws Exception {
		RawH2Client attacker = connect(true);
		for (int batch = 0; batch < 10 && attacker.isActive(); batch++) {
			attacker.send((writer, ctx) -> {
				for (int i = 0; i < 100; i++) {
					int id = attacker.nextStreamId();
					writer.writeHeaders(ctx, id, RawH2Client.request("GET", "/hello"), 0, true, ctx.newPromise());
					writer.writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
				}
			});
		}
		awaitCutOff(attacker, ENHANCE_YOUR_CALM);
		assertLogged("RST frames");
		// Netty's limit: 200 resets in 30 s. Until then each reset stream was an accepted stream of
		// its own, created and destroyed, so the handler saw at most about 200 streams.
		assertThat(acceptedStreams()).isBetween(1, 201);
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> this.listener.acceptedStreams().isEmpty());
		assertBystanderServed();
	}

	@Test
	void resetsTheClientProvokesAreLimitedToo() throws Exception {
		// "MadeYouReset": each request breaks its content-length, so the server resets the stream.
		RawH2Client attacker = connect(true);
		for (int batch = 0; batch < 6 && attacker.isActive(); batch++) {
			attacker.send((writer, ctx) -> {
				for (int i = 0; i < 50; i++) {
					int id = attacker.nextStreamId();
					Http2Headers lying = RawH2Client.request("POST", "/echo").setInt("content-length", 1);
					writer.writeHeaders(ctx, id, lying, 0, false, ctx.newPromise());
					writer.writeData(ctx, id, Unpooled.wrappedBuffer(new byte[] { 'a', 'b' }), 0, true,
							ctx.newPromise());
				}
			});
		}
		awaitCutOff(attacker, ENHANCE_YOUR_CALM);
		assertLogged("RST frames");
		// Netty's limit: the server resets 200 streams in 30 s. The requests read after that are
		// still accepted streams, but Netty writes no more resets, so their h2 streams stay open
		// until the connection closes and the concurrent stream limit holds them to 100.
		assertThat(count(attacker.events, "RST")).isLessThanOrEqualTo(201);
		assertThat(acceptedStreams()).isLessThanOrEqualTo(200 + H2ServerConnection.MAX_CONCURRENT_STREAMS + 1);
		assertBystanderServed();
		// One WARN line per provoked reset would let each connection write 200 of them.
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> this.logs.contains("more stream problems on this connection were logged at DEBUG only"));
		assertThat(this.logs.warnings().stream().filter((line) -> line.contains("resetting the stream")))
			.hasSize(StreamProblemLog.WARN_LIMIT);
	}

	/** Writes a HEADERS frame without END_HEADERS: the header block goes on in CONTINUATION frames. */
	private static void writeHeadersWithoutEnd(DefaultHttp2FrameWriter writer, ChannelHandlerContext ctx, int id) {
		// 0x82: :method GET, from HPACK's static table.
		writer.writeFrame(ctx, Http2FrameTypes.HEADERS, id, new Http2Flags(),
				Unpooled.wrappedBuffer(new byte[] { (byte) 0x82 }), ctx.newPromise());
	}

	@Test
	void continuationFloodIsCutOff() throws Exception {
		RawH2Client attacker = connect(true);
		int id = attacker.nextStreamId();
		attacker.send((writer, ctx) -> {
			// HEADERS without END_HEADERS, then CONTINUATION frames that never end the block, past
			// the 16 KiB header list the server allows.
			writeHeadersWithoutEnd(writer, ctx, id);
			for (int i = 0; i < 2; i++) {
				writer.writeFrame(ctx, Http2FrameTypes.CONTINUATION, id, new Http2Flags(),
						Unpooled.wrappedBuffer(new byte[16 * 1024]), ctx.newPromise());
			}
		});
		awaitCutOff(attacker, Http2Error.PROTOCOL_ERROR.code());
		assertLogged("header size exceeded");
		assertThat(acceptedStreams()).isZero();
		assertBystanderServed();
	}

	@Test
	void emptyContinuationFloodIsCutOff() throws Exception {
		RawH2Client attacker = connect(true);
		int id = attacker.nextStreamId();
		attacker.send((writer, ctx) -> {
			writeHeadersWithoutEnd(writer, ctx, id);
			for (int i = 0; i < 100; i++) {
				writer.writeFrame(ctx, Http2FrameTypes.CONTINUATION, id, new Http2Flags(), Unpooled.EMPTY_BUFFER,
						ctx.newPromise());
			}
		});
		awaitCutOff(attacker, ENHANCE_YOUR_CALM);
		assertLogged("continuations frames");
		assertThat(acceptedStreams()).isZero();
		assertBystanderServed();
	}

	@Test
	void pingFloodFromAClientThatReadsNothingIsCutOff() throws Exception {
		// PING, 8 bytes of opaque data.
		floodWithoutReading(new byte[] { 0, 0, 8, Http2FrameTypes.PING, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42 });
	}

	@Test
	void settingsFloodFromAClientThatReadsNothingIsCutOff() throws Exception {
		// An empty SETTINGS frame, which the server must acknowledge.
		floodWithoutReading(new byte[] { 0, 0, 0, Http2FrameTypes.SETTINGS, 0, 0, 0, 0, 0 });
	}

	/**
	 * Sends frames that each need an answer, without reading the answers. The client first asks
	 * for an endless response with its windows wide open, which fills the socket buffers (a few MB
	 * on loopback) at once; from then on the answers queue up at the server until Netty's limit of
	 * queued control frames (10000) cuts the client off.
	 */
	private void floodWithoutReading(byte[] frame) throws Exception {
		RawH2Client attacker = RawH2Client.connectNotReading(this.clientLoop, address(),
				new Http2Settings().initialWindowSize(Http2CodecUtil.MAX_INITIAL_WINDOW_SIZE));
		attacker.send((writer, ctx) -> {
			int opening = Http2CodecUtil.MAX_INITIAL_WINDOW_SIZE - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
			writer.writeWindowUpdate(ctx, 0, opening, ctx.newPromise());
			writer.writeHeaders(ctx, attacker.nextStreamId(), RawH2Client.request("GET", "/big"), 0, true,
					ctx.newPromise());
		});
		ByteBuf frames = Unpooled.buffer(frame.length * 1000);
		for (int i = 0; i < 1000; i++) {
			frames.writeBytes(frame);
		}
		try {
			for (int batch = 0; batch < 1000 && attacker.isActive(); batch++) {
				attacker.send((writer, ctx) -> ctx.write(frames.retainedDuplicate()));
			}
		}
		finally {
			frames.release();
		}
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !attacker.isActive());
		assertLogged("control frames");
		assertBystanderServed();
	}

	@Test
	void responsesToAClientThatNeverOpensItsWindowAreNotBuffered() throws Exception {
		// SETTINGS_INITIAL_WINDOW_SIZE 0: no DATA may be sent on any stream until WINDOW_UPDATE.
		RawH2Client stingy = connect(new Http2Settings().initialWindowSize(0), true);
		int streams = 20;
		for (int i = 0; i < streams; i++) {
			stingy.get("/big");
		}
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> stingy.events.stream().filter((e) -> e.endsWith(" 200 end=false")).count() == streams);
		// While the window is shut the handler is asked for no more than a stream channel buffers
		// (Netty's 64 KiB high water mark) and one 16 KiB chunk beyond it. (A handler asked for
		// more would have been asked for it over and over by now: the pause only gives it time.)
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(300).multipliedBy(3))
			.untilAsserted(() -> {
				assertThat(this.handler.generated.get()).isLessThanOrEqualTo(streams * (64L + 16) * 1024);
				assertThat(stingy.dataBytes.get()).isZero();
			});
		assertBystanderServed();
		// Once the window opens, the responses flow again.
		stingy.send((writer, ctx) -> {
			writer.writeWindowUpdate(ctx, 0, 1024 * 1024, ctx.newPromise());
			writer.writeWindowUpdate(ctx, 1, 1024 * 1024, ctx.newPromise());
		});
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stingy.dataBytes.get() == 1024 * 1024);
	}

	@Test
	void responsesToAClientThatNeverSendsWindowUpdateAreBoundedByTheWindows() throws Exception {
		RawH2Client stingy = connect(true);
		int streams = 20;
		for (int i = 0; i < streams; i++) {
			stingy.get("/big");
		}
		// The connection window (64 KiB) is all the client gets.
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stingy.dataBytes.get() == 65535);
		// Each stream may have its own window's worth (64 KiB) queued, and a chunk more.
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofMillis(300).multipliedBy(3))
			.untilAsserted(() -> assertThat(this.handler.generated.get())
				.isLessThanOrEqualTo(streams * (65535L + 2 * 16 * 1024)));
		assertBystanderServed();
	}

	@Test
	void streamsBeyondTheAdvertisedLimitAreRefused() throws Exception {
		assertStreamsBeyondTheLimitRefused(connect(true));
	}

	@Test
	void streamsBeyondTheAdvertisedLimitAreRefusedWhenTheClientNeverAcknowledgesSettings() throws Exception {
		// Netty applies most of the server's own SETTINGS once the client acknowledges them, but the
		// stream limit from the start: a client that never acknowledges gets no more streams.
		assertStreamsBeyondTheLimitRefused(connect(false));
	}

	private void assertStreamsBeyondTheLimitRefused(RawH2Client greedy) throws Exception {
		int limit = H2ServerConnection.MAX_CONCURRENT_STREAMS;
		greedy.send((writer, ctx) -> {
			for (int i = 0; i < limit + 50; i++) {
				// Requests whose bodies never come: each stream stays open.
				writer.writeHeaders(ctx, greedy.nextStreamId(), RawH2Client.request("POST", "/echo"), 0, false,
						ctx.newPromise());
			}
		});
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> count(greedy.events, "RST") >= 50);
		assertThat(greedy.events).filteredOn((e) -> e.startsWith("RST "))
			.allMatch((e) -> e.endsWith(" " + REFUSED_STREAM))
			.hasSize(50);
		assertThat(acceptedStreams()).isEqualTo(limit);
		assertThat(this.listener.acceptedStreams()).hasSize(limit);
		assertBystanderServed();
	}

	@Test
	void hpackBombIsRefusedWithoutDecodingItAll() throws Exception {
		RawH2Client bomber = connect(true);
		// One 4000-byte header in HPACK's dynamic table, then referenced 12000 times at one byte each:
		// about 16 KiB on the wire that would decode to 48 MB.
		Http2Headers bomb = RawH2Client.request("GET", "/hello");
		String value = "a".repeat(4000);
		for (int i = 0; i < 12_000; i++) {
			bomb.add("x-bomb", value);
		}
		int id = bomber.nextStreamId();
		bomber.send((writer, ctx) -> writer.writeHeaders(ctx, id, bomb, 0, true, ctx.newPromise()));
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(bomber.events).contains("HEADERS " + id + " 431 end=true"));
		// Netty opens the stream to answer 431, so it is an accepted stream that never had a request.
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
				this.handler.acceptedStates(this.listener).values()).singleElement()
			.satisfies((states) -> assertThat(states).containsExactly(StreamState.CREATING, StreamState.CONNECTING,
					StreamState.DISCONNECTED, StreamState.DESTROYING)));
		// The header table stayed in step: the same connection is still served.
		int next = bomber.get("/hello?name=after");
		Awaitility.await().atMost(Duration.ofSeconds(10))
			.until(() -> bomber.events.contains("HEADERS " + next + " 200 end=false"));
		assertBystanderServed();
	}

	@Test
	void emptyDataFrameFloodIsCutOff() throws Exception {
		RawH2Client attacker = connect(true);
		int id = attacker.nextStreamId();
		attacker.send((writer, ctx) -> {
			writer.writeHeaders(ctx, id, RawH2Client.request("POST", "/echo"), 0, false, ctx.newPromise());
			for (int i = 0; i < 10; i++) {
				writer.writeData(ctx, id, Unpooled.EMPTY_BUFFER, 0, false, ctx.newPromise());
			}
		});
		awaitCutOff(attacker, ENHANCE_YOUR_CALM);
		assertLogged("empty data frames");
		assertBystanderServed();
	}

	/**
	 * {@link RoutingServerHandler}, plus {@code GET /big}: a response that never ends, as much as
	 * each {@code onTx} may carry, counting what the handler was asked for.
	 */
	static final class BigResponses extends RoutingServerHandler {

		final AtomicLong generated = new AtomicLong();

		private final Set<Long> big = ConcurrentHashMap.newKeySet();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN && "/big".equals(stream.metadata("path"))) {
				this.states.computeIfAbsent(stream.id(), (id) -> new CopyOnWriteArrayList<>())
					.add(state);
				this.big.add(stream.id());
				stream.serverAck(200);
				stream.requestTx();
				return StreamResult.OK;
			}
			return super.onState(stream, state, ack);
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			if (!this.big.contains(stream.id())) {
				return super.onTx(stream, slot);
			}
			ByteBuffer buffer = slot.buffer();
			int length = buffer.remaining();
			buffer.put(new byte[length]);
			this.generated.addAndGet(length);
			slot.flags((slot.ordinal() == 0) ? StreamFlags.SOM : 0);
			return StreamResult.OK;
		}

	}

}
