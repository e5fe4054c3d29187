package io.securestreams.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

import io.securestreams.transport.TransportResources;

/**
 * Where a Secure Streams proxy listens and its clients connect, written as libwebsockets writes
 * it: {@code +@name} for a Linux abstract Unix socket (the default is {@code +@proxy.ss.lws}),
 * {@code +/path} for a Unix socket file, or {@code host:port} for TCP.
 *
 * @param kind the kind of socket
 * @param name the abstract name (without {@code @}), the file path, or the host
 * @param port the TCP port, 0 for Unix sockets (and for "any free port" when listening)
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ProxyAddress(Kind kind, String name, int port) {

	/** The default proxy address of libwebsockets on Linux. */
	public static final ProxyAddress DEFAULT = new ProxyAddress(Kind.ABSTRACT, "proxy.ss.lws", 0);

	/** The kinds of proxy socket. */
	public enum Kind {

		/** A Linux abstract-namespace Unix socket (needs the native epoll transport). */
		ABSTRACT,
		/** A Unix socket file. */
		PATH,
		/** A TCP socket. */
		TCP

	}

	/**
	 * Checks the address: a name is required, and only a TCP address has a port.
	 * @param kind the kind of socket
	 * @param name the abstract name (without {@code @}), the file path, or the host
	 * @param port the TCP port, 0 for Unix sockets (and for "any free port" when listening)
	 * @throws NullPointerException when {@code kind} or {@code name} is {@code null}
	 * @throws IllegalArgumentException when the name is empty, or the port is outside 0..65535 or, for a
	 * Unix socket, not 0
	 */
	public ProxyAddress {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(name, "name");
		if (name.isEmpty()) {
			throw new IllegalArgumentException("empty proxy address");
		}
		if (port < 0 || port > 65535 || (kind != Kind.TCP && port != 0)) {
			throw new IllegalArgumentException("bad port " + port + " for a " + kind + " proxy address");
		}
	}

	/**
	 * Parses an address: {@code +@name} or {@code @name} (abstract), {@code +path} (any path,
	 * relative ones too), {@code /path} or {@code ./path} (socket file), {@code host:port} or
	 * {@code [v6]:port} (TCP).
	 * @param text the address
	 * @return the address
	 * @throws IllegalArgumentException when the text is none of these
	 */
	public static ProxyAddress parse(String text) {
		String value = text.trim();
		boolean unix = value.startsWith("+");
		if (unix) {
			value = value.substring(1);
		}
		if (value.startsWith("@")) {
			return new ProxyAddress(Kind.ABSTRACT, value.substring(1), 0);
		}
		// As in libwebsockets, a leading + makes the rest a Unix socket path whatever it holds: a
		// relative path (what a proxy started with --uds ss.sock logs) or one with a colon.
		if (unix || value.startsWith("/") || value.startsWith("./")) {
			return new ProxyAddress(Kind.PATH, value, 0);
		}
		// A bracket makes it TCP whatever follows, so that "[::1" is told its bracket is unclosed.
		if (value.indexOf(':') < 0 && !value.startsWith("[")) {
			throw new IllegalArgumentException("proxy address '" + text + "' is not +@name, +/path or host:port");
		}
		return parseTcp(text, value);
	}

	/**
	 * Reads {@code host:port} or {@code [v6]:port}, naming what is wrong with a malformed one: the
	 * lax reading before took "[::1" for host "[:" and port 1, and "[127.0.0.1:1" for a host name
	 * that then failed as unknown.
	 */
	private static ProxyAddress parseTcp(String text, String value) {
		String host;
		String port;
		if (value.startsWith("[")) {
			int close = value.indexOf(']');
			if (close < 0) {
				throw malformed(text, "has an unclosed '['");
			}
			host = value.substring(1, close);
			if (host.isEmpty()) {
				throw malformed(text, "has no address between '[' and ']'");
			}
			String rest = value.substring(close + 1);
			if (rest.isEmpty()) {
				throw malformed(text, "has no port: write [ADDRESS]:PORT");
			}
			if (rest.charAt(0) != ':') {
				throw malformed(text, "has '" + rest + "' after ']' where ':PORT' belongs");
			}
			port = rest.substring(1);
		}
		else {
			int colon = value.lastIndexOf(':');
			host = value.substring(0, colon);
			port = value.substring(colon + 1);
			if (host.indexOf(':') >= 0) {
				// "::1:1234" is itself an IPv6 address, and "fe80::1" was read as host "fe80:" and
				// port 1 and looked up as a name: only brackets tell where the address ends.
				throw new IllegalArgumentException("proxy address '" + text + "': write an IPv6 address in brackets, "
						+ "as [::1]:PORT");
			}
			if (host.isEmpty()) {
				throw malformed(text, "has no host before ':" + port + "'");
			}
		}
		return new ProxyAddress(Kind.TCP, host, port(text, port));
	}

	private static int port(String text, String port) {
		if (port.isEmpty()) {
			throw malformed(text, "has no port after ':'");
		}
		// Not Integer.parseInt alone: it takes "+80" and "-1" for numbers.
		for (int i = 0; i < port.length(); i++) {
			if (port.charAt(i) < '0' || port.charAt(i) > '9') {
				throw malformed(text, "has a port '" + port + "' that is not a number");
			}
		}
		// Leading zeros are no reason to call a port out of range; only the digits after them count.
		int first = 0;
		while (first < port.length() - 1 && port.charAt(first) == '0') {
			first++;
		}
		if (port.length() - first > 5 || Integer.parseInt(port, first, port.length(), 10) > 65535) {
			throw malformed(text, "has port " + port + ", outside 0 to 65535");
		}
		return Integer.parseInt(port);
	}

	private static IllegalArgumentException malformed(String text, String problem) {
		return new IllegalArgumentException("proxy address '" + text + "' " + problem);
	}

	/**
	 * Returns the socket address for a transport.
	 * @param transport the transport that will use it
	 * @return an unresolved {@link InetSocketAddress} for TCP, a Unix socket address otherwise
	 * @throws IllegalStateException for an abstract socket without the native transport
	 */
	public SocketAddress toSocketAddress(TransportResources transport) {
		return switch (this.kind) {
			case ABSTRACT -> transport.unixAddress(this.name, true);
			case PATH -> transport.unixAddress(this.name, false);
			case TCP -> InetSocketAddress.createUnresolved(this.name, this.port);
		};
	}

	/**
	 * Returns the address as a libwebsockets client writes it ({@code +@name}, {@code +/path},
	 * {@code host:port}).
	 * @return the text form
	 */
	@Override
	public String toString() {
		return switch (this.kind) {
			case ABSTRACT -> "+@" + this.name;
			case PATH -> "+" + this.name;
			case TCP -> ((this.name.indexOf(':') >= 0) ? "[" + this.name + "]" : this.name) + ":" + this.port;
		};
	}

}
