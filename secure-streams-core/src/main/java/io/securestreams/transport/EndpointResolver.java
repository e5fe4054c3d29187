package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

import io.netty.util.NetUtil;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * Turns a streamtype's {@code endpoint}, {@code port}, {@code tls} and {@code http_url} into a
 * {@link ConnectTarget}: expands {@code ${metadata}}, recognizes {@code +/path} and
 * {@code +@name} Unix sockets, lets an endpoint written as a URL override scheme, host, port and
 * path, decodes the zone of a scoped IPv6 literal ({@code [fe80::1%25eth0]}, RFC 6874), and
 * picks the protocol's default port when none is given.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class EndpointResolver {

	private EndpointResolver() {
	}

	/**
	 * Resolves the target of a client connection attempt.
	 * @param policy the streamtype
	 * @param metadata the stream's metadata, for {@code ${name}} expansion
	 * @param globalSocks5 the policy-wide {@code via-socks5}, or {@code null}
	 * @param transport the transport, to make Unix socket addresses
	 * @return the target
	 * @throws IllegalArgumentException with the reason when the endpoint cannot be used
	 */
	public static ConnectTarget resolve(StreamTypePolicy policy, MetadataValues metadata,
			@Nullable String globalSocks5, TransportResources transport) {
		String endpoint = metadata.expand(policy.endpoint());
		if (endpoint == null || endpoint.isEmpty()) {
			throw new IllegalArgumentException("streamtype '" + policy.name() + "' has no endpoint"
					+ ((policy.endpoint() != null) ? " after expanding \"" + policy.endpoint() + "\"" : ""));
		}
		String path = normalizePath(metadata.expand(policy.http().url()));
		String socks = (policy.viaSocks5() != null) ? policy.viaSocks5() : globalSocks5;
		InetSocketAddress socks5 = (socks != null) ? socksAddress(socks) : null;
		if (endpoint.startsWith("+")) {
			boolean abstractName = endpoint.startsWith("+@");
			String name = endpoint.substring(abstractName ? 2 : 1);
			return new ConnectTarget(transport.unixAddress(name, abstractName), "localhost", 0, policy.tls().enabled(),
					path, null);
		}
		if (endpoint.contains("://")) {
			return fromUrl(policy, endpoint, "endpoint URL \"" + endpoint + "\"", path, socks5);
		}
		if (hasPort(endpoint)) {
			// libwebsockets reads any endpoint with a colon as a URL (lws_parse_uri): "host:port"
			// connects to that port and a "/path" after it replaces http_url. Without a scheme,
			// the streamtype's tls stays in force.
			return fromUrl(policy, (policy.tls().enabled() ? "https://" : "http://") + endpoint,
					"endpoint \"" + endpoint + "\"", path, socks5);
		}
		int port = (policy.port() != 0) ? policy.port() : defaultPort(policy.protocol(), policy.tls().enabled());
		// An IPv6 literal in URL brackets ("[::1]", as a URL endpoint or via-socks5 writes it) is
		// the address without them: kept, the host would be bracketed again in the Host header.
		String host = (endpoint.startsWith("[") && endpoint.endsWith("]")
				&& NetUtil.isValidIpV6Address(endpoint.substring(1, endpoint.length() - 1)))
						? decodeZone(endpoint.substring(1, endpoint.length() - 1)) : endpoint;
		return new ConnectTarget(InetSocketAddress.createUnresolved(host, port), host, port, policy.tls().enabled(),
				path, socks5);
	}

	/**
	 * Reads an endpoint given as a URL ({@code mqtts://broker:8883}) as
	 * {@link #resolve resolve} does, for comparing endpoints written in different forms.
	 * @param policy the streamtype, for its protocol's default port
	 * @param endpoint the endpoint, a URL without {@code ${metadata}}
	 * @return the target (its host, port and TLS)
	 * @throws IllegalArgumentException when the URL cannot be used
	 */
	public static ConnectTarget fromUrl(StreamTypePolicy policy, String endpoint) {
		return fromUrl(policy, endpoint, "endpoint URL \"" + endpoint + "\"", "/", null);
	}

	// The problems are told of the endpoint as written ("written"): a host:port endpoint is read
	// as a URL with the scheme its tls setting gives, which the policy does not hold.
	private static ConnectTarget fromUrl(StreamTypePolicy policy, String endpoint, String written, String policyPath,
			@Nullable InetSocketAddress socks5) {
		URI uri;
		try {
			uri = new URI(endpoint);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException(written + " cannot be read as a URL: " + ex.getReason());
		}
		String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
		boolean tls = switch (scheme) {
			case "https", "wss", "mqtts", "tls" -> true;
			case "http", "ws", "mqtt", "tcp" -> false;
			default -> throw new IllegalArgumentException("endpoint URL scheme '" + scheme + "' is not one of "
					+ "http, https, ws, wss, mqtt, mqtts, tcp, tls");
		};
		String host = uri.getHost();
		String portText = (uri.getPort() >= 0) ? String.valueOf(uri.getPort()) : "";
		if (host == null && uri.getRawAuthority() != null) {
			// URI reads an authority whose host is no internet host name (an underscore, as in a
			// container's service name) as a registry name, without host or port; libwebsockets
			// takes what comes before the port as the host.
			String authority = uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1);
			int colon = authority.lastIndexOf(':');
			host = (colon >= 0) ? authority.substring(0, colon) : authority;
			portText = (colon >= 0) ? authority.substring(colon + 1) : "";
		}
		if (host == null || host.isEmpty()) {
			throw new IllegalArgumentException(written + " has no host");
		}
		if (host.startsWith("[") && host.endsWith("]")) {
			host = decodeZone(host.substring(1, host.length() - 1));
		}
		if (!portText.matches("[0-9]{0,5}") || (!portText.isEmpty() && Integer.parseInt(portText) > 65535)) {
			throw new IllegalArgumentException(written + " has port '" + portText
					+ "', not a number from 1 to 65535");
		}
		int number = portText.isEmpty() ? 0 : Integer.parseInt(portText);
		int port = (number > 0) ? number : defaultPort(policy.protocol(), tls);
		String path = (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
				? normalizePath(uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : ""))
				: policyPath;
		return new ConnectTarget(InetSocketAddress.createUnresolved(host, port), host, port, tls, path, socks5);
	}

	// "host:port" or "[v6]:port", either maybe followed by a path. A bare IPv6 literal ("::1",
	// whose colons libwebsockets would misread) stays a host, as does a name without a port.
	private static boolean hasPort(String endpoint) {
		int end = endpoint.indexOf('/');
		String authority = (end >= 0) ? endpoint.substring(0, end) : endpoint;
		int colon = authority.lastIndexOf(':');
		if (colon <= 0 || colon == authority.length() - 1) {
			return false;
		}
		String host = authority.substring(0, colon);
		return (host.startsWith("[") && host.endsWith("]")) || host.indexOf(':') < 0;
	}

	// A URL writes the zone of a scoped IPv6 literal as "%25eth0", the "%" encoded (RFC 6874); the
	// JDK, which connects, takes the zone after a plain "%" and would look for an interface named
	// "25eth0". The plain form "%eth0", which RFC 6874 section 4 lets a URL parser accept, is kept.
	private static String decodeZone(String ipv6) {
		int percent = ipv6.indexOf('%');
		if (percent >= 0 && ipv6.startsWith("25", percent + 1) && ipv6.length() > percent + 3) {
			return ipv6.substring(0, percent + 1) + ipv6.substring(percent + 3);
		}
		return ipv6;
	}

	/**
	 * Gives a URL path exactly one leading {@code /}, as libwebsockets does.
	 * @param url the path from the policy, may be {@code null}
	 * @return the path
	 */
	public static String normalizePath(@Nullable String url) {
		if (url == null) {
			return "/";
		}
		int start = 0;
		while (start < url.length() && url.charAt(start) == '/') {
			start++;
		}
		return "/" + url.substring(start);
	}

	/**
	 * Returns the port used when neither the policy nor a URL gives one.
	 * @param protocol the protocol
	 * @param tls whether TLS is on
	 * @return the default port
	 * @throws IllegalArgumentException for raw streams, which have no default
	 */
	public static int defaultPort(Protocol protocol, boolean tls) {
		return switch (protocol) {
			case H1, H2, H3, WS -> tls ? 443 : 80;
			case MQTT -> tls ? 8883 : 1883;
			case RAW -> throw new IllegalArgumentException("a raw streamtype needs a port");
		};
	}

	/**
	 * Parses a {@code host:port} SOCKS5 proxy address. An address literal is used as it is; a
	 * host name is left unresolved, for the {@link Connector} to look up without blocking the
	 * event loop.
	 * @param hostPort the address, IPv6 hosts in brackets
	 * @return the address, unresolved when it names a host
	 */
	public static InetSocketAddress socksAddress(String hostPort) {
		int colon = hostPort.lastIndexOf(':');
		String host = hostPort.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port = Integer.parseInt(hostPort.substring(colon + 1));
		byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
		if (literal == null) {
			return InetSocketAddress.createUnresolved(host, port);
		}
		try {
			return new InetSocketAddress(InetAddress.getByAddress(host, literal), port);
		}
		catch (UnknownHostException ex) {
			// getByAddress only fails for a wrong array length, which a parsed literal never has.
			throw new IllegalStateException(ex);
		}
	}

}
