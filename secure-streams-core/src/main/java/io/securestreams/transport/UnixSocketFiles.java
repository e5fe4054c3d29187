package io.securestreams.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The file of a filesystem Unix socket a listener is about to bind. A file left behind by a
 * listener that ended (the process died before removing it) is removed, as libwebsockets does;
 * unlike libwebsockets, a file a live listener still accepts on is left alone and reported,
 * since binding over it would silently take the path from that listener (TCP refuses a second
 * bind of a port in the same way). Anything at the path that is no socket (a regular file, a
 * directory, a link) is left alone and reported too, where libwebsockets unlinks it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class UnixSocketFiles {

	// The file type bits of st_mode, and the type of a socket (S_IFMT and S_IFSOCK).
	private static final int FILE_TYPE_BITS = 0170000;

	private static final int SOCKET_TYPE = 0140000;

	private UnixSocketFiles() {
	}

	/**
	 * Removes a stale socket file at a path a listener is about to bind.
	 * @param path the socket path
	 * @throws IllegalStateException when a listener still accepts connections on the path, or
	 * the path holds something that is not a socket (a regular file, a directory, a link)
	 * @throws UncheckedIOException when the stale file cannot be removed
	 */
	public static void removeStale(Path path) {
		if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		if (!isSocket(path)) {
			// Netty's native bind unlinks whatever is at the path first, so leaving this to the
			// bind would delete a file a mistyped path names.
			throw new IllegalStateException("the path " + path + " is not a Unix socket; not replacing it");
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

	private static boolean isSocket(Path path) {
		try {
			Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
			return mode instanceof Integer bits && (bits & FILE_TYPE_BITS) == SOCKET_TYPE;
		}
		catch (UnsupportedOperationException | IllegalArgumentException ex) {
			// No "unix" attribute view: a socket is neither a regular file, a directory nor a link.
			return !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
					&& !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(path);
		}
		catch (IOException ex) {
			return false;
		}
	}

	// A connection attempt is the only portable test: refused means nobody listens. The live
	// listener sees a connection that closes at once. The attempt does not block: a blocking
	// connect to a listener that stopped accepting (a hung process) with its queue of waiting
	// connections full waits in the kernel for as long as that listener lives. Without blocking
	// the kernel says EAGAIN instead, which the JDK throws as a plain SocketException: someone
	// holds the path, so it is kept.
	private static boolean accepting(Path path) {
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			probe.configureBlocking(false);
			probe.connect(UnixDomainSocketAddress.of(path));
			// Connected, or (where a connect may be pending) accepted into the listener's queue.
			return true;
		}
		catch (SocketException ex) {
			// Refused (ConnectException), a path gone in the meantime or one not ours to use
			// (BindException) says nothing of a listener; EAGAIN does.
			return ex.getClass() == SocketException.class && Files.exists(path, LinkOption.NOFOLLOW_LINKS);
		}
		catch (IOException ex) {
			return false;
		}
	}

}
