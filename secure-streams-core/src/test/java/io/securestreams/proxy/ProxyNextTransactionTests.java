package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A link's next http transaction, which our proxy may run on the onward connection the server
 * kept alive: it must carry what the client set since, as on the new connection the C proxy
 * would open (the {@code bulk_h1} trace of reference §7.7 sets metadata before each
 * ONWARD_CONNECT).
 */
@Timeout(30)
class ProxyNextTransactionTests {

	@TempDir
	Path temp;

	private MockWebServer server;

	private ProxyUnderTest harness;

	@BeforeEach
	void start() throws Exception {
		this.server = new MockWebServer();
		this.server.setDispatcher(new HttpbinDispatcher());
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.server.getPort(), "GET", "/bytes/${n}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("n", "")));
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", this.server.getPort(), "POST", "/${path}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", "")));
		this.harness = new ProxyUnderTest(fragment.build(), this.temp);
	}

	@AfterEach
	void stop() {
		this.harness.close();
		this.server.close();
	}

	@Test
	void metadataSetBeforeTheNextOnwardConnectShapesItsRequest() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader reader = new FrameReader(link);
			FrameReader.write(link, frames(streamType("get"), metadata("n", "2761"), new ToProxy.OnwardConnect()));
			assertThat(payloadUntilDisconnected(reader)).isEqualTo(2761);
			FrameReader.write(link, frames(metadata("n", "10"), new ToProxy.OnwardConnect()));
			assertThat(payloadUntilDisconnected(reader)).isEqualTo(10);
		}
		assertThat(paths()).containsExactly("/bytes/2761", "/bytes/10");
	}

	@Test
	void metadataSetBeforeTheNextLengthHintShapesItsRequest() throws Exception {
		try (SocketChannel link = this.harness.connectRaw()) {
			FrameReader reader = new FrameReader(link);
			FrameReader.write(link, frames(streamType("post"), metadata("path", "echo"),
					new ToProxy.PayloadLengthHint(3), new ToProxy.OnwardConnect()));
			awaitState(reader, StreamState.CONNECTED);
			FrameReader.write(link, frames(body("one")));
			assertThat(payloadUntilDisconnected(reader)).isEqualTo(3);
			FrameReader.write(link, frames(metadata("path", "bytes/5"), new ToProxy.PayloadLengthHint(3),
					new ToProxy.OnwardConnect()));
			awaitState(reader, StreamState.CONNECTED);
			FrameReader.write(link, frames(body("two")));
			assertThat(payloadUntilDisconnected(reader)).isEqualTo(5);
		}
		assertThat(paths()).containsExactly("/echo", "/bytes/5");
	}

	/**
	 * A changed endpoint closes the kept connection and the next transaction connects anew; the
	 * client's ONWARD_CONNECT makes that connection as it makes any, without POLL, so the client
	 * sees what the C proxy's new connection gives (reference 7.7), as when the endpoint stays.
	 */
	@Test
	void aChangedEndpointConnectsTheNextTransactionAnewWithoutPoll() throws Exception {
		try (MockWebServer other = new MockWebServer()) {
			other.setDispatcher(new HttpbinDispatcher());
			other.start(InetAddress.getByName("127.0.0.1"), 0);
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("moving"), "http://127.0.0.1:${port}", 0, "GET", "/bytes/5")
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("port", "")));
			try (ProxyUnderTest moving = new ProxyUnderTest(fragment.build(),
					Files.createDirectories(this.temp.resolve("moving")));
					SocketChannel link = moving.connectRaw()) {
				FrameReader reader = new FrameReader(link);
				FrameReader.write(link, frames(streamType("moving"), metadata("port", port(this.server)),
						new ToProxy.OnwardConnect()));
				assertThat(statesUntilDisconnected(reader)).containsExactly(StreamState.CREATING,
						StreamState.CONNECTING, StreamState.CONNECTED, StreamState.QOS_ACK_REMOTE,
						StreamState.DISCONNECTED);
				FrameReader.write(link, frames(metadata("port", port(other)), new ToProxy.OnwardConnect()));
				assertThat(statesUntilDisconnected(reader)).containsExactly(StreamState.CONNECTING,
						StreamState.CONNECTED, StreamState.QOS_ACK_REMOTE, StreamState.DISCONNECTED);
			}
			assertThat(this.server.getRequestCount()).isEqualTo(1);
			assertThat(other.getRequestCount()).isEqualTo(1);
		}
	}

	private static String port(MockWebServer server) {
		return Integer.toString(server.getPort());
	}

	/** Reads to the DISCONNECTED that ends a transaction, collecting the states. */
	private static List<StreamState> statesUntilDisconnected(FrameReader reader) throws Exception {
		List<StreamState> states = new ArrayList<>();
		for (FrameReader.Frame frame = reader.next(); frame != null; frame = reader.next()) {
			if (frame.type() == 0x57) {
				StreamState state = StreamState.of(frame.state());
				states.add(state);
				if (state == StreamState.DISCONNECTED) {
					return states;
				}
			}
		}
		throw new AssertionError("link closed before DISCONNECTED: " + states);
	}

	private List<String> paths() throws InterruptedException {
		List<String> paths = new ArrayList<>();
		for (RecordedRequest request = this.server.takeRequest(1, TimeUnit.SECONDS); request != null;
				request = this.server.takeRequest(100, TimeUnit.MILLISECONDS)) {
			paths.add(request.getUrl().encodedPath());
		}
		return paths;
	}

	private static void awaitState(FrameReader reader, StreamState state) throws Exception {
		for (FrameReader.Frame frame = reader.next(); frame != null; frame = reader.next()) {
			if (frame.type() == 0x57 && frame.state() == state.value()) {
				return;
			}
		}
		throw new AssertionError("link closed before " + state);
	}

	/** Reads to the DISCONNECTED that ends a transaction, counting the payload bytes. */
	private static long payloadUntilDisconnected(FrameReader reader) throws Exception {
		long payload = 0;
		for (FrameReader.Frame frame = reader.next(); frame != null; frame = reader.next()) {
			if (frame.type() == 0x55) {
				payload += frame.body().length - 16;
			}
			if (frame.type() == 0x57 && frame.state() == StreamState.DISCONNECTED.value()) {
				return payload;
			}
		}
		throw new AssertionError("link closed before DISCONNECTED");
	}

	private static SsMessage streamType(String name) {
		return new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, name);
	}

	private static SsMessage metadata(String name, String value) {
		return new ToProxy.TxMetadata(name, value.getBytes(StandardCharsets.UTF_8));
	}

	private static SsMessage body(String text) {
		return new ToProxy.TxPayload(3, 0, 0, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
	}

	private static byte[] frames(SsMessage... messages) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (SsMessage message : messages) {
			out.writeBytes(SsWire.toBytes(message));
			io.netty.util.ReferenceCountUtil.release(message);
		}
		return out.toByteArray();
	}

}
