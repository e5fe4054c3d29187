package io.securestreams.protocol.file;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.RejectedExecutionException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client stream's "connection" to a {@code file://} endpoint (reference, rx flags): the file is
 * opened, CONNECTED is reported, and its bytes are delivered as rx in chunks of at most
 * {@value #CHUNK} bytes, one chunk per event-loop task, with SOM on the first chunk and EOM on the
 * one that reaches the length the file had when it was opened (an empty file gives one empty rx
 * with both). A file that cannot be opened fails the attempt (UNREACHABLE, then the retry
 * policy). After EOM the stream stays CONNECTED and the file is closed; tx requests are ignored,
 * as there is nothing to send to. A result other than OK from {@code onRx} stops the reading and
 * ends the connection (DISCONNECTED). Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class FileSource implements ProtocolConnection {

	/** Most bytes one rx carries, as in libwebsockets. */
	public static final int CHUNK = 1400;

	private static final String SCHEME = "file://";

	private static final Logger logger = LoggerFactory.getLogger(FileSource.class);

	private final Path path;

	private final StreamLink link;

	private @Nullable FileChannel file;

	private long length;

	private long position;

	private boolean paused;

	private boolean readScheduled;

	private boolean finished;

	private boolean closed;

	private FileSource(Path path, StreamLink link) {
		this.path = path;
		this.link = link;
	}

	/**
	 * Returns whether an endpoint, after metadata substitution, names a file.
	 * @param endpoint the endpoint
	 * @return {@code true} for a {@code file://} endpoint
	 */
	public static boolean isFileEndpoint(@Nullable String endpoint) {
		return endpoint != null && endpoint.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
	}

	/**
	 * Starts reading the file an endpoint names; the file is opened on the next event-loop task.
	 * @param template the policy's endpoint before metadata substitution, against which the
	 * path is checked (see {@link FileEndpointPath})
	 * @param endpoint a {@code file://} endpoint: what follows the scheme is the path, absolute
	 * ({@code file:///var/data}) or relative to the working directory
	 * @param link the attempt
	 * @return the connection
	 * @throws IllegalArgumentException if the endpoint names no path, or metadata substituted into
	 * it added a {@code ..} segment
	 */
	public static FileSource start(String template, String endpoint, StreamLink link) {
		FileSource source = new FileSource(FileEndpointPath.of(template, endpoint), link);
		link.eventLoop().execute(source::open);
		return source;
	}

	private void open() {
		if (this.closed || !this.link.isActive()) {
			return;
		}
		try {
			if (!Files.isRegularFile(this.path)) {
				throw new IOException(
						this.path + (Files.exists(this.path) ? " is not a regular file" : " does not exist"));
			}
			FileChannel opened = FileChannel.open(this.path, StandardOpenOption.READ);
			this.file = opened;
			this.length = opened.size();
		}
		catch (IOException | RuntimeException ex) {
			this.closed = true;
			logger.warn("stream {} ({}): unable to read {}: {}", this.link.streamId(), this.link.policy().name(),
					this.path, why(ex));
			this.link.connectFailed(ex);
			return;
		}
		// The request that started the connection is served by it: there is nothing to send to a
		// file, and a request left pending would read the file again after a disconnect.
		this.link.takeTxRequest();
		if (this.link.state(StreamState.CONNECTED) != StreamResult.OK) {
			// The runtime closes this connection for DISCONNECT_ME and DESTROY_ME.
			return;
		}
		scheduleRead();
	}

	private void scheduleRead() {
		if (!this.readScheduled && !this.paused && !this.finished && !this.closed) {
			this.readScheduled = true;
			// One chunk per task, as libwebsockets reads one per trip round its event loop, so that
			// a large file does not hold up the loop's other streams.
			this.link.eventLoop().execute(this::readChunk);
		}
	}

	private void readChunk() {
		this.readScheduled = false;
		FileChannel channel = this.file;
		if (channel == null || this.paused || this.finished || this.closed || !this.link.isActive()) {
			return;
		}
		int size = (int) Math.min(CHUNK, Math.max(0, this.length - this.position));
		ByteBuf chunk = ByteBufAllocator.DEFAULT.heapBuffer(size);
		StreamResult result;
		try {
			boolean first = this.position == 0;
			boolean end = fill(channel, chunk);
			int flags = (first ? StreamFlags.SOM : 0) | (end ? StreamFlags.EOM : 0);
			if (end) {
				this.finished = true;
				closeFile();
			}
			result = this.link.rx(chunk, flags);
		}
		catch (IOException ex) {
			logger.warn("stream {} ({}): reading {} failed at byte {}: {}", this.link.streamId(),
					this.link.policy().name(), this.path, this.position, why(ex));
			close();
			return;
		}
		finally {
			chunk.release();
		}
		if (result == StreamResult.OK) {
			scheduleRead();
		}
	}

	/** Reads up to a chunk; returns whether the file's opening length (or its end) is reached. */
	/**
	 * Says why a file could not be read. A {@link FileSystemException}'s message is often the
	 * path alone ({@code AccessDeniedException}, {@code NoSuchFileException}), which the log line
	 * names already: its reason, or else its kind, says more.
	 * @param ex the failure
	 * @return the reason
	 */
	static String why(Exception ex) {
		if (ex instanceof FileSystemException failure) {
			String reason = failure.getReason();
			return (reason != null) ? reason : failure.getClass().getSimpleName();
		}
		return String.valueOf(ex.getMessage());
	}

	private boolean fill(FileChannel channel, ByteBuf chunk) throws IOException {
		while (chunk.isWritable()) {
			int read = chunk.writeBytes(channel, this.position, chunk.writableBytes());
			if (read < 0) {
				// The file shrank since it was opened: what it has is all there is.
				return true;
			}
			this.position += read;
		}
		return this.position >= this.length;
	}

	@Override
	public void requestWrite() {
		this.link.takeTxRequest();
		logger.debug("stream {} ({}): nothing to send to {}; tx request ignored", this.link.streamId(),
				this.link.policy().name(), this.path);
	}

	@Override
	public void setRxPaused(boolean paused) {
		this.paused = paused;
		if (!paused) {
			scheduleRead();
		}
	}

	@Override
	public boolean isIdle() {
		return this.finished && !this.closed;
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		closeFile();
		// Reported from a task of its own, as a channel's close is, never from inside a callback.
		try {
			this.link.eventLoop().execute(() -> this.link.closed(false));
		}
		catch (RejectedExecutionException ex) {
			// The context is stopping: its streams are being destroyed, nobody waits for this.
			logger.debug("stream {}: {} closed while the event loop stops", this.link.streamId(), this.path);
		}
	}

	private void closeFile() {
		FileChannel channel = this.file;
		this.file = null;
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				logger.debug("closing {}: {}", this.path, ex.toString());
			}
		}
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		return null;
	}

	@Override
	public String toString() {
		return "file " + this.path;
	}

}
