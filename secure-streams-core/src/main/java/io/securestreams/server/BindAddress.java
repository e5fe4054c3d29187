package io.securestreams.server;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import io.securestreams.SecureStreamsException;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.TransportResources;
import io.securestreams.transport.UnixSocketFiles;
import org.jspecify.annotations.Nullable;

/**
 * Where a server streamtype listens: its {@code endpoint} is a network interface name (its
 * first address, IPv4 preferred), an IP address or host name, {@code +/path} for a Unix socket
 * or {@code +@name} for a Linux abstract socket; without an endpoint the listener binds the
 * wildcard address. {@code port} 0 picks an ephemeral port.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class BindAddress {

	private BindAddress() {
	}

	/**
	 * Resolves the address to bind.
	 * @param policy the server streamtype
	 * @param transport makes Unix socket addresses
	 * @return the address
	 * @throws SecureStreamsException when the endpoint names nothing usable
	 */
	static SocketAddress resolve(StreamTypePolicy policy, TransportResources transport) {
		String endpoint = policy.endpoint();
		if (endpoint == null || endpoint.isEmpty()) {
			return new InetSocketAddress(policy.port());
		}
		if (endpoint.startsWith("+")) {
			boolean abstractName = endpoint.startsWith("+@");
			String name = endpoint.substring(abstractName ? 2 : 1);
			SocketAddress address;
			try {
				address = transport.unixAddress(name, abstractName);
			}
			catch (IllegalArgumentException ex) {
				throw new SecureStreamsException("server streamtype '" + policy.name() + "': " + ex.getMessage(), ex);
			}
			if (!abstractName) {
				removeStaleSocket(Path.of(name));
			}
			return address;
		}
		if (endpoint.startsWith("!")) {
			throw new SecureStreamsException("server streamtype '" + policy.name() + "': binding to an existing vhost ("
					+ endpoint + ") is not supported");
		}
		InetAddress address = interfaceAddress(endpoint);
		try {
			return new InetSocketAddress((address != null) ? address : InetAddress.getByName(endpoint), policy.port());
		}
		catch (UnknownHostException ex) {
			throw new SecureStreamsException("server streamtype '" + policy.name() + "': endpoint '" + endpoint
					+ "' is neither a network interface nor an address", ex);
		}
	}

	/**
	 * Returns the path of a filesystem Unix socket endpoint.
	 * @param policy the server streamtype
	 * @return the path, or {@code null} for other endpoints
	 */
	static @Nullable Path unixSocketPath(StreamTypePolicy policy) {
		String endpoint = policy.endpoint();
		return (endpoint != null && endpoint.startsWith("+") && !endpoint.startsWith("+@"))
				? Path.of(endpoint.substring(1)) : null;
	}

	private static @Nullable InetAddress interfaceAddress(String name) {
		try {
			NetworkInterface nic = NetworkInterface.getByName(name);
			if (nic == null) {
				return null;
			}
			List<InetAddress> addresses = Collections.list(nic.getInetAddresses());
			return addresses.stream()
				.filter(Inet4Address.class::isInstance)
				.findFirst()
				.orElse(addresses.isEmpty() ? null : addresses.get(0));
		}
		catch (SocketException ex) {
			return null;
		}
	}

	private static void removeStaleSocket(Path path) {
		try {
			UnixSocketFiles.removeStale(path);
		}
		catch (IllegalStateException | UncheckedIOException ex) {
			throw new SecureStreamsException("cannot listen: " + ex.getMessage(), ex);
		}
	}

}
