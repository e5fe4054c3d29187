package io.securestreams;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * The address of a Linux abstract Unix domain socket: a name in the kernel's abstract namespace
 * rather than a file (a policy endpoint {@code +@name}).
 * <p>
 * {@link SecureStream#localAddress()} and {@link SecureStream#peerAddress()} return one for a
 * stream on an abstract socket, and a {@link java.net.UnixDomainSocketAddress} for one on a
 * socket file, so no transport library's type reaches application code. The JDK has no type for
 * abstract names: its {@code UnixDomainSocketAddress} holds a path, which cannot start with the
 * NUL byte that marks an abstract name on the wire.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class AbstractUnixSocketAddress extends SocketAddress {

	private static final long serialVersionUID = 1L;

	/** The name in the abstract namespace, without the leading {@code @}. */
	private final String name;

	private AbstractUnixSocketAddress(String name) {
		this.name = name;
	}

	/**
	 * Returns the address of an abstract socket name.
	 * @param name the name, without the {@code @} that policies and logs put before it
	 * @return the address
	 * @throws IllegalArgumentException for an empty name, which names no socket
	 */
	public static AbstractUnixSocketAddress of(String name) {
		Objects.requireNonNull(name, "name");
		if (name.isEmpty()) {
			throw new IllegalArgumentException("an abstract Unix socket name is not empty");
		}
		return new AbstractUnixSocketAddress(name);
	}

	/**
	 * Returns the name in the abstract namespace.
	 * @return the name, without the leading {@code @}
	 */
	public String name() {
		return this.name;
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof AbstractUnixSocketAddress address) && this.name.equals(address.name);
	}

	@Override
	public int hashCode() {
		return this.name.hashCode();
	}

	/**
	 * Returns the name as policies and the {@code ss} tools write it.
	 * @return {@code @} followed by the name
	 */
	@Override
	public String toString() {
		return "@" + this.name;
	}

}
