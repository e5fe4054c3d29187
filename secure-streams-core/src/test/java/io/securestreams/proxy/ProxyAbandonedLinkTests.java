package io.securestreams.proxy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.securestreams.StreamFlags;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that close their link while the onward connection is still waiting for its answer, or
 * in the middle of a POST body the server does not read (so the proxy stopped reading the link):
 * the onward stream is destroyed, its connection closed, and no link, stream or timer is left.
 */
class ProxyAbandonedLinkTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path temp;

	// Accepts connections and never answers or reads.
	private ServerSocket silent;

	private final List<Socket> accepted = new CopyOnWriteArrayList<>();

	private ProxyUnderTest harness;

	private List<String> baseline;

	@BeforeEach
	void start() throws Exception {
		this.silent = this.resources.closing(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
		Thread acceptor = new Thread(() -> {
			try {
				while (true) {
					this.accepted.add(this.resources.closing(this.silent.accept()));
				}
			}
			catch (Exception ex) {
				// Closed after the test.
			}
		});
		acceptor.setDaemon(true);
		acceptor.start();
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("post"), "127.0.0.1", this.silent.getLocalPort(), "POST", "/up")
			.set(StreamTypeKey.PROXY_BUFLEN, 16384);
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", this.silent.getLocalPort(), "GET", "/");
		this.harness = this.resources.closing(new ProxyUnderTest(fragment.build(), this.temp));
		this.baseline = ScheduledTasks.of(this.harness.context());
	}

	@Test
	void closingTheLinkInTheMiddleOfABodyTheServerDoesNotReadEndsTheOnwardConnection() throws Exception {
		SocketChannel link = this.harness.connectRaw();
		FrameReader.write(link, SsWire.toBytes(new ToProxy.StreamType(1, 1, SsWire.DEFAULT_INITIAL_TX_CREDIT,
				"post")));
		FrameReader.write(link, SsWire.toBytes(new ToProxy.PayloadLengthHint(1L << 31)));
		FrameReader.write(link, SsWire.toBytes(new ToProxy.OnwardConnect()));
		Awaitility.await().atMost(WAIT).until(() -> this.accepted.size() == 1);
		// Sends body until nothing more goes for a second: the proxy stopped reading the link.
		link.configureBlocking(false);
		byte[] chunk = new byte[SsWire.MAX_TX_PAYLOAD];
		ByteBuffer pending = ByteBuffer.allocate(0);
		int flags = StreamFlags.SOM;
		long lastProgress = System.nanoTime();
		while (System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(1)) {
			if (!pending.hasRemaining()) {
				pending = ByteBuffer.wrap(SsWire.toBytes(new ToProxy.TxPayload(flags, 0, 0,
						Unpooled.wrappedBuffer(chunk))));
				flags = 0;
			}
			if (link.write(pending) > 0) {
				lastProgress = System.nanoTime();
			}
			else {
				Thread.onSpinWait();
			}
		}
		link.close();
		assertNothingLeft();
		assertThat(endOfStream(this.accepted.get(0))).succeedsWithin(WAIT);
	}

	@Test
	void closingLinksWhileTheirOnwardConnectionsWaitForAnAnswerEndsThem() throws Exception {
		for (int i = 0; i < 10; i++) {
			SocketChannel link = this.harness.connectRaw();
			FrameReader.write(link, SsWire.toBytes(new ToProxy.StreamType(1, 1, SsWire.DEFAULT_INITIAL_TX_CREDIT,
					"get")));
			// A timer of the onward stream that must go with it.
			FrameReader.write(link, SsWire.toBytes(new ToProxy.TimeoutUpdate(600_000)));
			FrameReader.write(link, SsWire.toBytes(new ToProxy.OnwardConnect()));
			int connections = i + 1;
			Awaitility.await().atMost(WAIT).until(() -> this.accepted.size() == connections);
			link.close();
		}
		assertNothingLeft();
		for (Socket connection : this.accepted) {
			assertThat(endOfStream(connection)).succeedsWithin(WAIT);
		}
	}

	private void assertNothingLeft() {
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.harness.proxy().links()).isEmpty();
			assertThat(ContextAccess.runtime(this.harness.context()).streams()).isEmpty();
			assertThat(ScheduledTasks.of(this.harness.context())).containsExactlyInAnyOrderElementsOf(this.baseline);
		});
	}

	// Reads what the proxy sent on a connection until it closed it.
	private static CompletableFuture<Long> endOfStream(Socket connection) {
		return CompletableFuture.supplyAsync(() -> {
			long read = 0;
			try (InputStream in = connection.getInputStream()) {
				byte[] buffer = new byte[65536];
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					read += n;
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			return read;
		});
	}

}
