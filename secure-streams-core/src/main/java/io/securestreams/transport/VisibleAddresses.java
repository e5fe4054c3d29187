package io.securestreams.transport;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

import io.netty.channel.unix.DomainSocketAddress;
import io.securestreams.AbstractUnixSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Turns a channel's address into the one a stream shows its application: the native transport
 * gives Unix socket addresses as its own {@link DomainSocketAddress}, whose text for an abstract
 * name starts with a NUL byte; applications, logs and the actuator get JDK or Secure Streams
 * types instead.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class VisibleAddresses {

	private VisibleAddresses() {
	}

	/**
	 * Returns the address to show for a channel's local or remote address.
	 * @param address the channel's address, possibly {@code null}
	 * @return a {@link UnixDomainSocketAddress} for a socket file (an empty path for an unbound
	 * peer), an {@link AbstractUnixSocketAddress} for an abstract name, anything else unchanged
	 */
	public static @Nullable SocketAddress of(@Nullable SocketAddress address) {
		if (!(address instanceof DomainSocketAddress unix)) {
			return address;
		}
		String path = unix.path();
		if (path.length() > 1 && path.charAt(0) == '\0') {
			return AbstractUnixSocketAddress.of(path.substring(1));
		}
		// A peer that connected from an unbound socket has no path (and "\0" alone names nothing).
		return UnixDomainSocketAddress.of(path.startsWith("\0") ? "" : path);
	}

}
