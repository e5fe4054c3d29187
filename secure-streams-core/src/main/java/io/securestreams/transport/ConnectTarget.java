package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;

/**
 * Where one connection attempt goes, after metadata substitution and URL overrides.
 *
 * @param address the address to connect to: an unresolved {@link InetSocketAddress}, or a Unix
 * socket address
 * @param host the host name for TLS SNI, certificate checks and the http Host header
 * ({@code localhost} for Unix sockets); a scoped IPv6 literal keeps its zone ({@code fe80::1%eth0})
 * @param port the port (0 for Unix sockets)
 * @param tls whether the connection uses TLS
 * @param path the http path and query, always starting with {@code /}
 * @param socks5 the SOCKS5 proxy to go through, or {@code null}
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ConnectTarget(SocketAddress address, String host, int port, boolean tls, String path,
		@Nullable InetSocketAddress socks5) {

	/**
	 * Returns whether the target is a Unix domain socket.
	 * @return {@code true} for Unix sockets
	 */
	public boolean isUnixSocket() {
		return !(this.address instanceof InetSocketAddress);
	}

	/**
	 * Returns the value for an http Host header: the host, with the port unless it is the
	 * scheme's default. An IPv6 literal is bracketed, without its zone.
	 * @return the authority
	 */
	public String authority() {
		boolean defaultPort = this.port == 0 || (this.tls ? this.port == 443 : this.port == 80);
		// A zone only means something on the sending host, and RFC 6874 section 4 has it removed
		// from what is sent; servers refuse a Host that carries one (it is no valid URI host).
		int zone = this.host.indexOf('%');
		String name = (this.host.indexOf(':') >= 0)
				? "[" + ((zone >= 0) ? this.host.substring(0, zone) : this.host) + "]" : this.host;
		return defaultPort ? name : name + ":" + this.port;
	}

	@Override
	public String toString() {
		String where = isUnixSocket() ? this.address.toString().replace('\0', '@') : this.host + ":" + this.port;
		return (this.tls ? "tls://" : "tcp://") + where + this.path
				+ ((this.socks5 != null) ? " via socks5 " + this.socks5 : "");
	}

}
