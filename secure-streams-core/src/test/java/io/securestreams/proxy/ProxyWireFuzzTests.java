package io.securestreams.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.HttpbinDispatcher;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import mockwebserver3.MockWebServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wire fuzz: over 100,000 frames of random and mutated bytes on thousands of links against a
 * running proxy, while well-behaved proxied streams keep completing their transactions. The
 * proxy stays up, every hostile link goes away, and nothing leaks (paranoid leak detection).
 */
class ProxyWireFuzzTests {

	private static final int FRAMES = 100_000;

	private static final int FRAMES_PER_LINK = 40;

	private static final int BODY = 20_000;

	private final TransitionGuard guard = new TransitionGuard();

	@TempDir
	Path temp;

	@Test
	void proxySurvivesRandomAndMutatedFramesWhileGoodStreamsComplete() throws Exception {
		int deadPort;
		try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			deadPort = closed.getLocalPort();
		}
		try (MockWebServer server = new MockWebServer()) {
			server.setDispatcher(new HttpbinDispatcher());
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", server.getPort(), "GET", "/bytes/" + BODY);
			TestPolicies.h1(fragment.streamType("dead"), "127.0.0.1", deadPort, "POST", "/")
				.set(StreamTypeKey.RETRY, null)
				.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("m", "x-m:")));
			Path socket = this.temp.resolve("proxy.sock");
			try (SecureStreams context = SecureStreams.builder(fragment.build()).eventLoopThreads(2)
				.listener(this.guard)
				.build();
					SecureStreamsProxy proxy = SecureStreamsProxy.builder(context)
						.listen(ProxyAddress.parse("+" + socket))
						.start();
					SecureStreams client = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(1)
						.listener(this.guard)
						.build()) {
				List<Repeater> good = List.of(new Repeater(), new Repeater(), new Repeater());
				for (Repeater repeater : good) {
					client.create("get", repeater).requestTx();
				}
				AtomicLong frames = new AtomicLong();
				AtomicInteger links = new AtomicInteger();
				ExecutorService fuzzers = Executors.newFixedThreadPool(2);
				List<Future<?>> running = new java.util.ArrayList<>();
				for (int thread = 0; thread < 2; thread++) {
					long seed = 1000 + thread;
					running.add(fuzzers.submit(() -> fuzz(socket, new Random(seed), frames, links)));
				}
				for (Future<?> future : running) {
					future.get();
				}
				fuzzers.shutdown();
				assertThat(frames.get()).isGreaterThanOrEqualTo(FRAMES);
				// The good streams completed transactions during the fuzz, and keep doing so after it.
				long before = good.stream().mapToLong((r) -> r.completed.get()).sum();
				Awaitility.await().atMost(Duration.ofSeconds(30))
					.until(() -> good.stream().allMatch((r) -> r.completed.get() >= 3)
							&& good.stream().mapToLong((r) -> r.completed.get()).sum() > before);
				for (Repeater repeater : good) {
					repeater.running = false;
					assertThat(repeater.errors).isEmpty();
				}
				Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> proxy.links().size() <= good.size());
				RecordingHandler late = new RecordingHandler();
				client.create("get", late).requestTx();
				late.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(20));
				assertThat(late.received()).hasSize(BODY);
				assertThat(links.get()).isGreaterThan(1000);
			}
			this.guard.assertNoViolations();
		}
	}

	private static void fuzz(Path socket, Random random, AtomicLong frames, AtomicInteger links) {
		while (frames.get() < FRAMES) {
			ByteArrayOutputStream batch = new ByteArrayOutputStream();
			int count = 1 + random.nextInt(FRAMES_PER_LINK);
			boolean mutated = random.nextInt(4) != 0;
			if (mutated) {
				batch.writeBytes(SsWire.toBytes(new ToProxy.StreamType(1, random.nextInt(1 << 16),
						random.nextInt(), random.nextBoolean() ? "dead" : "get")));
			}
			for (int i = 0; i < count; i++) {
				batch.writeBytes(mutated ? mutate(random, validFrame(random)) : randomFrame(random));
			}
			try (SocketChannel link = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				link.connect(UnixDomainSocketAddress.of(socket));
				ByteBuffer bytes = ByteBuffer.wrap(batch.toByteArray());
				while (bytes.hasRemaining()) {
					link.write(bytes);
				}
				frames.addAndGet(count);
				links.incrementAndGet();
			}
			catch (IOException ex) {
				// The proxy hung up while the batch was being written: that is what it should do.
				links.incrementAndGet();
			}
		}
	}

	private static byte[] validFrame(Random random) {
		SsMessage message = switch (random.nextInt(8)) {
			case 0 -> new ToProxy.TimeoutUpdate(random.nextInt(5) == 0 ? SsWire.TIMEOUT_CANCEL : random.nextInt(100));
			case 1 -> new ToProxy.TxMetadata(random.nextBoolean() ? "m" : "q", new byte[random.nextInt(40)]);
			case 2 -> new ToProxy.PayloadLengthHint(random.nextInt(100_000));
			case 3 -> new ToProxy.OnwardConnect();
			case 4 -> new ToProxy.TxCredit(random.nextInt());
			case 5 -> new ToProxy.Destroying();
			default -> new ToProxy.TxPayload(random.nextInt(4), 0, 0, Unpooled.wrappedBuffer(
					new byte[random.nextInt(3000)]));
		};
		return SsWire.toBytes(message);
	}

	private static byte[] mutate(Random random, byte[] frame) {
		if (random.nextInt(3) == 0) {
			int flips = 1 + random.nextInt(3);
			for (int i = 0; i < flips; i++) {
				frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
			}
		}
		return frame;
	}

	private static byte[] randomFrame(Random random) {
		byte[] frame = new byte[3 + random.nextInt(64)];
		random.nextBytes(frame);
		if (random.nextBoolean()) {
			int length = frame.length - 3;
			frame[1] = (byte) (length >> 8);
			frame[2] = (byte) length;
		}
		return frame;
	}

	/** Runs GET after GET, checking each one's body, until told to stop. */
	private static final class Repeater extends RecordingHandler {

		final AtomicInteger completed = new AtomicInteger();

		final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

		volatile boolean running = true;

		private int bytes;

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			this.bytes += payload.remaining();
			return StreamResult.OK;
		}

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.QOS_ACK_REMOTE) {
				if (this.bytes != BODY) {
					this.errors.add("transaction " + this.completed.get() + " got " + this.bytes + " bytes");
				}
				this.completed.incrementAndGet();
			}
			else if (state == StreamState.DISCONNECTED || state == StreamState.QOS_NACK_REMOTE) {
				if (state == StreamState.QOS_NACK_REMOTE) {
					this.errors.add("NACK");
				}
				this.bytes = 0;
				if (this.running) {
					stream.requestTx();
				}
			}
			else if (state != StreamState.CREATING && state != StreamState.CONNECTING
					&& state != StreamState.CONNECTED) {
				this.errors.add("unexpected " + state);
			}
			return StreamResult.OK;
		}

	}

}
