package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole transactions through the proxy played with raw frames on its Unix socket, checked frame
 * by frame against reference section 7: RX_PAYLOAD frames of at most 1380 bytes ending with a
 * zero-length EOM, one request for repeated ONWARD_CONNECTs, TIMEOUT_UPDATE and its cancel
 * value, frames split at every byte, CONNECTED before the body of a POST with a length hint,
 * and only states the proxied client's table accepts while the onward connection is refused.
 */
class ProxyRawWireTransactionTests {

	private static final int CONNSTATE = 0x57;

	private static final int RX_PAYLOAD = 0x55;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	private MockWebServer server;

	private ProxyUnderTest harness;

	@BeforeEach
	void start() throws Exception {
		this.server = this.resources.mockWebServer();
		this.server.setDispatcher(new HttpbinDispatcher());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("any"), "127.0.0.1", this.server.getPort(), "GET", "/${p}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("p", "")));
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", this.server.getPort(), "POST", "/echo");
		TestPolicies.h1(fragment.streamType("refused"), "127.0.0.1", this.resources.refusedPort(), "GET", "/");
		this.harness = this.resources.closing(new ProxyUnderTest(fragment.build(), this.temp));
	}

	private static byte[] frames(Object... messages) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (Object message : messages) {
			out.writeBytes((message instanceof byte[] raw) ? raw
					: SsWire.toBytes((io.securestreams.proxy.wire.SsMessage) message));
		}
		return out.toByteArray();
	}

	private static ToProxy.TxMetadata md(String name, String value) {
		return new ToProxy.TxMetadata(name, value.getBytes(StandardCharsets.US_ASCII));
	}

	private static ToProxy.StreamType streamType(String name) {
		return new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, name);
	}

	/** Reads frames until one matches, within 10 s; returns all read, the matching one last. */
	private static List<FrameReader.Frame> readUntil(FrameReader reader, Predicate<FrameReader.Frame> last)
			throws Exception {
		CompletableFuture<List<FrameReader.Frame>> result = CompletableFuture.supplyAsync(() -> {
			List<FrameReader.Frame> read = new ArrayList<>();
			try {
				for (FrameReader.Frame frame = reader.next(); frame != null; frame = reader.next()) {
					read.add(frame);
					if (last.test(frame)) {
						return read;
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			throw new IllegalStateException("link closed after " + read);
		});
		return result.get(10, TimeUnit.SECONDS);
	}

	private static Predicate<FrameReader.Frame> state(StreamState state) {
		return (frame) -> frame.type() == CONNSTATE && frame.state() == state.value();
	}

	private static List<Integer> states(List<FrameReader.Frame> frames) {
		return frames.stream().filter((f) -> f.type() == CONNSTATE).map(FrameReader.Frame::state).toList();
	}

	private static int flags(FrameReader.Frame frame) {
		return ByteBuffer.wrap(frame.body()).getInt(0);
	}

	@Test
	void httpGetEndsWithZeroLengthEomFrameAndFramesOfAtMost1380() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(streamType("any"), md("p", "bytes/3000"), new ToProxy.OnwardConnect()));
			List<FrameReader.Frame> read = readUntil(new FrameReader(link), state(StreamState.QOS_ACK_REMOTE));
			List<FrameReader.Frame> rx = read.stream().filter((f) -> f.type() == RX_PAYLOAD).toList();
			assertThat(rx).allSatisfy((f) -> assertThat(f.body().length - 16).isLessThanOrEqualTo(1380));
			assertThat(rx.stream().mapToInt((f) -> f.body().length - 16).sum()).isEqualTo(3000);
			assertThat(flags(rx.get(0)) & StreamFlags.SOM).isEqualTo(StreamFlags.SOM);
			FrameReader.Frame lastRx = rx.get(rx.size() - 1);
			assertThat(flags(lastRx) & StreamFlags.EOM).isEqualTo(StreamFlags.EOM);
			// Reference §13.3: "http transactions end with a zero-length EOM frame before QOS_ACK/NACK"
			assertThat(lastRx.body().length - 16).as("payload of the last RX_PAYLOAD frame").isZero();
		}
	}

	@Test
	void repeatedOnwardConnectMakesOneRequest() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(streamType("any"), md("p", "bytes/10"), new ToProxy.OnwardConnect(),
					new ToProxy.OnwardConnect()));
			FrameReader reader = new FrameReader(link);
			List<FrameReader.Frame> read = readUntil(reader, state(StreamState.DISCONNECTED));
			assertThat(states(read)).containsExactly(1, 6, 5, 10, 2);
			Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
				.until(() -> this.server.getRequestCount() == 1);
		}
	}

	@Test
	void timeoutUpdateStartsATimerThatEndsInTimeout() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(streamType("any"), md("p", "delay/3"), new ToProxy.TimeoutUpdate(300),
					new ToProxy.OnwardConnect()));
			List<FrameReader.Frame> read = readUntil(new FrameReader(link), state(StreamState.TIMEOUT));
			assertThat(states(read)).doesNotContain(StreamState.CONNECTED.value());
		}
	}

	@Test
	void cancelledTimeoutUpdateDoesNotFire() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(streamType("any"), md("p", "delay/1"), new ToProxy.TimeoutUpdate(300),
					new ToProxy.TimeoutUpdate(SsWire.TIMEOUT_CANCEL), new ToProxy.OnwardConnect()));
			List<FrameReader.Frame> read = readUntil(new FrameReader(link), state(StreamState.DISCONNECTED));
			assertThat(states(read)).doesNotContain(StreamState.TIMEOUT.value());
		}
	}

	// libwebsockets' client sends a pending TIMEOUT_UPDATE ahead of everything (reference 7.3), on
	// a new link ahead of STREAMTYPE too, and its proxy ignores one that comes before there is a
	// stream (as it does a length hint or credit update): the link goes on.
	@Test
	void timeoutUpdateLengthHintAndCreditBeforeStreamTypeAreIgnored() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(new ToProxy.TimeoutUpdate(5000), new ToProxy.PayloadLengthHint(10),
					new ToProxy.TxCredit(1000), streamType("any"), md("p", "bytes/5"), new ToProxy.OnwardConnect()));
			List<FrameReader.Frame> read = readUntil(new FrameReader(link), state(StreamState.DISCONNECTED));
			assertThat(read.get(0).type()).isEqualTo(0x56);
			assertThat(states(read)).containsExactly(1, 6, 5, 10, 2);
		}
	}

	@Test
	void framesSplitAtEveryByteAreDecoded() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			byte[] all = frames(streamType("any"), md("p", "bytes/5"), new ToProxy.OnwardConnect());
			for (byte b : all) {
				FrameReader.write(link, new byte[] { b });
			}
			List<FrameReader.Frame> read = readUntil(new FrameReader(link), state(StreamState.DISCONNECTED));
			assertThat(states(read)).containsExactly(1, 6, 5, 10, 2);
		}
	}

	@Test
	void postWithLengthHintGetsConnectedThenEchoes() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader reader = new FrameReader(link);
			FrameReader.write(link, frames(streamType("post"), new ToProxy.PayloadLengthHint(10),
					new ToProxy.OnwardConnect()));
			readUntil(reader, state(StreamState.CONNECTED));
			FrameReader.write(link, frames(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0,
					io.netty.buffer.Unpooled.wrappedBuffer("0123456789".getBytes(StandardCharsets.US_ASCII)))));
			List<FrameReader.Frame> read = readUntil(reader, state(StreamState.DISCONNECTED));
			String body = read.stream().filter((f) -> f.type() == RX_PAYLOAD)
				.map((f) -> new String(f.body(), 16, f.body().length - 16, StandardCharsets.US_ASCII))
				.reduce("", String::concat);
			assertThat(body).isEqualTo("0123456789");
			assertThat(this.server.takeRequest().getHeaders().get("Content-Length")).isEqualTo("10");
		}
	}

	@Test
	void refusedConnectionSendsOnlyLegalStatesUpToAllRetriesFailedAndReconnectsOnRequest() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader.write(link, frames(streamType("refused"), new ToProxy.OnwardConnect()));
			FrameReader reader = new FrameReader(link);
			List<FrameReader.Frame> read = new ArrayList<>(readUntil(reader, state(StreamState.ALL_RETRIES_FAILED)));
			FrameReader.write(link, frames(new ToProxy.OnwardConnect()));
			read.addAll(readUntil(reader, state(StreamState.ALL_RETRIES_FAILED)));
			StreamState previous = null;
			for (int value : states(read)) {
				StreamState next = StreamState.of(value);
				assertThat(io.securestreams.StateTransitions.PROXIED_CLIENT.isAllowed(previous, next))
					.as("%s after %s in %s", next, previous, states(read)).isTrue();
				previous = next;
			}
		}
	}

}
