package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.SsWire;
import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proxy driven step by step by a test, on a Unix socket file: it accepts links and lets the
 * test read the client's frames and send any bytes back.
 */
public final class ScriptedProxy implements AutoCloseable {

	private static final FrameReader.Frame CLOSED = new FrameReader.Frame(-1, new byte[0]);

	private final Path path;

	private ServerSocketChannel server;

	public ScriptedProxy(Path path) {
		this.path = path;
	}

	/** Starts listening. */
	public ScriptedProxy listen() throws IOException {
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(this.path));
		this.server.configureBlocking(false);
		return this;
	}

	/** Returns the address clients use. */
	public String address() {
		return "+" + this.path;
	}

	/** Waits for the next link. */
	public Link accept(Duration timeout) throws IOException {
		AtomicReference<SocketChannel> accepted = new AtomicReference<>();
		Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> {
			accepted.set(this.server.accept());
			return accepted.get() != null;
		});
		return new Link(accepted.get());
	}

	/**
	 * Waits for links until one for each of the given streamtypes came, and reads their
	 * STREAMTYPE frames: streams of one context connect in no set order.
	 * @param timeout the most to wait for each link
	 * @param streamTypes the streamtypes expected, one link each
	 * @return the links by streamtype, their STREAMTYPE frames consumed
	 * @throws IOException if accepting fails
	 * @throws InterruptedException if interrupted while reading
	 */
	public Map<String, Link> acceptStreams(Duration timeout, String... streamTypes)
			throws IOException, InterruptedException {
		Map<String, Link> links = new HashMap<>();
		for (int i = 0; i < streamTypes.length; i++) {
			Link link = accept(timeout);
			FrameReader.Frame first = link.next();
			assertThat(first.type()).as("the first frame of a link is STREAMTYPE").isEqualTo(0xaa);
			links.put(new String(first.body(), 9, first.body().length - 9, StandardCharsets.UTF_8), link);
		}
		assertThat(links).containsOnlyKeys(streamTypes);
		return links;
	}

	/**
	 * Returns a link that is waiting to be accepted, without waiting for one.
	 * @return the link, or {@code null} when no client is connecting
	 * @throws IOException if accepting fails
	 */
	public Link acceptNow() throws IOException {
		SocketChannel accepted = this.server.accept();
		return (accepted != null) ? new Link(accepted) : null;
	}

	@Override
	public void close() throws IOException {
		if (this.server != null) {
			this.server.close();
		}
		java.nio.file.Files.deleteIfExists(this.path);
	}

	/** One accepted link. */
	public static final class Link implements AutoCloseable {

		private final SocketChannel channel;

		private final BlockingQueue<FrameReader.Frame> frames = new LinkedBlockingQueue<>();

		private final long acceptedNanos = System.nanoTime();

		Link(SocketChannel channel) throws IOException {
			this.channel = channel;
			channel.configureBlocking(true);
			Thread reader = new Thread(() -> {
				FrameReader in = new FrameReader(channel);
				try {
					for (FrameReader.Frame frame = in.next(); frame != null; frame = in.next()) {
						this.frames.add(frame);
					}
				}
				catch (IOException ex) {
					// closed
				}
				this.frames.add(CLOSED);
			}, "scripted-proxy-reader");
			reader.setDaemon(true);
			reader.start();
		}

		public long acceptedNanos() {
			return this.acceptedNanos;
		}

		/** Returns the client's next frame, failing after 10 s or when the link closed. */
		public FrameReader.Frame next() throws InterruptedException {
			FrameReader.Frame frame = this.frames.poll(10, TimeUnit.SECONDS);
			assertThat(frame).as("next frame from the client").isNotNull();
			assertThat(frame).as("next frame from the client (the link closed)").isNotSameAs(CLOSED);
			return frame;
		}

		/** Fails unless the client sends nothing more for a while. */
		public void assertQuiet(Duration duration) throws InterruptedException {
			assertThat(this.frames.poll(duration.toMillis(), TimeUnit.MILLISECONDS)).isNull();
		}

		/** Waits until the client closed the link, skipping frames. */
		public void awaitClosed() throws InterruptedException {
			for (FrameReader.Frame frame = this.frames.poll(10, TimeUnit.SECONDS); frame != CLOSED;
					frame = this.frames.poll(10, TimeUnit.SECONDS)) {
				assertThat(frame).as("the client did not close the link").isNotNull();
			}
		}

		/**
		 * Sends messages in one write, as a proxy sends what it has queued: written one by one, a
		 * message after one the client hangs up on could meet a closed socket (broken pipe).
		 */
		public Link send(SsMessage... messages) throws IOException {
			ByteArrayOutputStream burst = new ByteArrayOutputStream();
			for (SsMessage message : messages) {
				burst.writeBytes(SsWire.toBytes(message));
			}
			return send(burst.toByteArray());
		}

		public Link send(byte[] bytes) throws IOException {
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			while (buffer.hasRemaining()) {
				this.channel.write(buffer);
			}
			return this;
		}

		@Override
		public void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
