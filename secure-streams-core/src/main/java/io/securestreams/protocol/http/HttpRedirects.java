package io.securestreams.protocol.http;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

import io.securestreams.policy.HttpSettings;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The redirects of one http connection: which statuses redirect, where a {@code Location} leads
 * (resolved against the current target and its path, through the same SOCKS5 proxy; a relative
 * one from a Unix socket endpoint stays on that socket) and the hop to follow once the redirect
 * response has been read. A chain stops after {@link #MAX_REDIRECTS} hops, at a location whose
 * scheme is neither http nor https, at an https location when the streamtype configures no TLS,
 * at an http location after https (a redirect never leaves TLS) and, for a streamtype whose
 * requests carry system-blob headers or cookies, at a location on another host or port, which
 * would receive them; the response is then handled as a final one.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HttpRedirects {

	private static final Logger logger = LoggerFactory.getLogger(HttpRedirects.class);

	/** Most redirects followed in one chain. */
	static final int MAX_REDIRECTS = 10;

	private final StreamLink link;

	private final boolean tlsConfigured;

	private @Nullable ConnectTarget pending;

	/**
	 * Creates the redirects of one connection.
	 * @param link the stream's link
	 * @param tlsConfigured whether the streamtype configures TLS, so https locations can be followed
	 */
	HttpRedirects(StreamLink link, boolean tlsConfigured) {
		this.link = link;
		this.tlsConfigured = tlsConfigured;
	}

	static boolean isRedirect(int status) {
		return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
	}

	/**
	 * Decides whether a redirect can be followed and, if so, remembers where it leads.
	 * @param from the target that answered with the redirect
	 * @param hops how many redirects led to {@code from}
	 * @param location the response's {@code Location}
	 * @return whether the redirect will be followed
	 */
	boolean follow(ConnectTarget from, int hops, String location) {
		this.pending = target(from, hops, location);
		return this.pending != null;
	}

	/**
	 * Returns whether a redirect is being followed.
	 * @return {@code true} once {@link #follow} accepted one, until {@link #takePending()}
	 */
	boolean hasPending() {
		return this.pending != null;
	}

	/**
	 * Returns the hop to follow, once the redirect response has been read, and forgets it.
	 * @return the next target, or {@code null} when no redirect is being followed
	 */
	@Nullable ConnectTarget takePending() {
		ConnectTarget next = this.pending;
		this.pending = null;
		return next;
	}

	private static boolean carriesIdentity(HttpSettings http) {
		return http.authHeader() != null || http.dsnHeader() != null || http.fwvHeader() != null
				|| http.devtypeHeader() != null || http.cookies();
	}

	// The URI of the path just requested; the origin when the path is no URI reference (a
	// character a policy's http_url may hold unescaped), so that an absolute location still works.
	private static URI requested(URI origin, String path) {
		try {
			return origin.resolve(path);
		}
		catch (IllegalArgumentException ex) {
			return origin;
		}
	}

	// RFC 3986 section 5.2.4 removes the dot segments of a resolved path; URI.normalize does but
	// for ".." segments above the root, which RFC 3986 drops and which servers refuse.
	private static String withoutDotSegments(@Nullable String rawPath) {
		String path = (rawPath == null || rawPath.isEmpty()) ? "/" : rawPath;
		while (path.startsWith("/../")) {
			path = path.substring(3);
		}
		return path.equals("/..") ? "/" : path;
	}

	private @Nullable ConnectTarget target(ConnectTarget from, int hops, String location) {
		if (hops >= MAX_REDIRECTS) {
			logger.warn("more than {} redirects for streamtype '{}'; not following", MAX_REDIRECTS,
					this.link.policy().name());
			return null;
		}
		try {
			URI origin = new URI(from.tls() ? "https" : "http", null, from.host(), from.port(), "/", null, null);
			// A relative location is relative to the path just requested (libwebsockets replaces
			// its last segment too), not to the root.
			URI requested = requested(origin, from.path());
			// A location of only a query keeps the requested path (RFC 3986 section 5.2.2); the
			// JDK resolves it as RFC 2396 did, dropping the path's last segment.
			URI next = requested.resolve(location.startsWith("?") ? requested.getRawPath() + location : location);
			if (!"http".equalsIgnoreCase(next.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
				// An ftp: or ws: location is no http resource: asked for over http it would reach
				// a server that speaks something else, or one of the peer's choosing on the port.
				logger.warn("redirect to {} is not http or https; not following", next);
				return null;
			}
			boolean tls = "https".equalsIgnoreCase(next.getScheme());
			int port = (next.getPort() > 0) ? next.getPort() : (tls ? 443 : 80);
			String path = withoutDotSegments(next.normalize().getRawPath());
			if (next.getRawQuery() != null) {
				path += "?" + next.getRawQuery();
			}
			if (from.tls() && !tls) {
				logger.warn("redirect from https to {} would leave TLS; not following", next);
				return null;
			}
			if (tls && !this.tlsConfigured) {
				logger.warn("redirect to {} needs TLS, which the streamtype does not configure; not following", next);
				return null;
			}
			if (from.isUnixSocket() && next.getPort() == 0 && tls == from.tls()
					&& from.host().equalsIgnoreCase(next.getHost())) {
				// A location relative to a Unix socket endpoint (the base's port 0 carried over):
				// the same socket, not TCP to the placeholder host name.
				return new ConnectTarget(from.address(), from.host(), 0, tls, path, null);
			}
			// URI keeps an IPv6 literal in its brackets; a target's host is the bare address, as
			// EndpointResolver makes it (authority() adds the brackets for the Host header).
			String host = next.getHost();
			if (host != null && host.startsWith("[") && host.endsWith("]")) {
				host = host.substring(1, host.length() - 1);
			}
			boolean sameAuthority = from.host().equalsIgnoreCase(host) && from.port() == port;
			if (!sameAuthority && carriesIdentity(this.link.policy().http())) {
				// As libwebsockets: the auth token, device identity and cookies belong to the
				// authority the policy names, not to one the peer picks.
				logger.warn("redirect to {} leaves {}, and streamtype '{}' sends system-blob headers or cookies; "
						+ "not following", next, from.authority(), this.link.policy().name());
				return null;
			}
			return new ConnectTarget(InetSocketAddress.createUnresolved(host, port), host, port, tls, path,
					from.socks5());
		}
		catch (URISyntaxException | IllegalArgumentException ex) {
			logger.warn("unusable redirect location '{}': {}", location, ex.getMessage());
			return null;
		}
	}

}
