package io.securestreams.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file of a filesystem Unix socket a listener is about to bind. A file left behind by a
 * listener that ended (the process died before removing it) is removed, as libwebsockets does;
 * unlike libwebsockets, a file a live listener still accepts on is left alone and reported,
 * since binding over it would silently take the path from that listener (TCP refuses a second
 * bind of a port in the same way).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class UnixSocketFiles {

	private UnixSocketFiles() {
	}

	/**
	 * Removes a stale socket file at a path a listener is about to bind.
	 * @param path the socket path
	 * @throws IllegalStateException when a listener still accepts connections on the path
	 * @throws UncheckedIOException when the stale file cannot be removed
	 */
	public static void removeStale(Path path) {
		if (!Files.exists(path) || Files.isRegularFile(path) || Files.isDirectory(path)) {
			// Nothing there, or something that is no socket: the bind reports it.
			return;
		}
		if (accepting(path)) {
			throw new IllegalStateException("the Unix socket " + path + " is in use by a running listener");
		}
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot remove the stale Unix socket " + path + ": " + ex.getMessage(), ex);
		}
	}

	// A connection attempt is the only portable test: refused means nobody listens. The live
	// listener sees a connection that closes at once.
	private static boolean accepting(Path path) {
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			return probe.connect(UnixDomainSocketAddress.of(path));
		}
		catch (IOException ex) {
			return false;
		}
	}

}
