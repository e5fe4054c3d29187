package io.securestreams.protocol;

import java.net.HttpCookie;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.securestreams.transport.ConnectTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cookies of a context's http client streams whose streamtype sets {@code http_cookies}, the
 * counterpart of libwebsockets' cookie jar: cookies a server sets ({@code Set-Cookie} on any
 * response, redirects and ws upgrade answers included) are kept and sent back ({@code Cookie})
 * on the requests they apply to, under the RFC 6265 rules of domain, path, {@code Secure} and
 * expiry. A cookie without {@code Domain} goes back to the very host that set it; one with a
 * {@code Domain} is kept only when that domain is the host or, for a host name, a domain it is in,
 * and then goes to that domain and its subdomains; a domain of one label other than the host
 * itself ({@code com}, {@code local}) is refused, as a public suffix. (The JDK's {@code CookieManager} is not used:
 * its RFC 2965 rules send a host's cookies to any host name that ends with it and refuse a
 * subdomain's cookie for its parent domain.) The jar is shared by every such streamtype of the
 * context and kept in memory for the context's life (libwebsockets keeps it in a file named by its
 * context). It holds at most {@value #MAX_COOKIES} cookies, the number RFC 6265 asks a client to
 * be able to keep, dropping the oldest beyond, so that servers setting ever new cookies cannot
 * grow it without bound. Thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class CookieJar {

	private static final Logger logger = LoggerFactory.getLogger(CookieJar.class);

	/** Most cookies the jar holds. */
	public static final int MAX_COOKIES = 3000;

	/**
	 * A kept cookie.
	 * @param cookie the cookie, with its path set
	 * @param domain the host or domain it goes to, in lower case
	 * @param hostOnly whether it goes to the host {@code domain} only, not to its subdomains
	 */
	private record Kept(HttpCookie cookie, String domain, boolean hostOnly) {

		boolean replaces(Kept other) {
			return this.cookie.getName().equals(other.cookie.getName()) && this.domain.equals(other.domain)
					&& this.cookie.getPath().equals(other.cookie.getPath());
		}

		boolean appliesTo(String host, String path, boolean tls) {
			boolean domainMatch = host.equals(this.domain)
					|| (!this.hostOnly && host.endsWith("." + this.domain) && !isAddress(host));
			return domainMatch && pathMatches(path, this.cookie.getPath()) && (tls || !this.cookie.getSecure());
		}

	}

	/** The cookies, the oldest first. */
	private final List<Kept> kept = new ArrayList<>();

	/**
	 * Adds the cookies that apply to a request, after any cookie header the request already has.
	 * @param target where the request goes
	 * @param headers the request's headers
	 */
	public synchronized void addCookies(ConnectTarget target, HttpHeaders headers) {
		this.kept.removeIf((k) -> k.cookie().hasExpired());
		String host = target.host().toLowerCase(Locale.ROOT);
		String path = path(target);
		// RFC 6265 section 5.4: the longer paths first; among equal ones the older first.
		List<String> cookies = this.kept.stream()
			.filter((k) -> k.appliesTo(host, path, target.tls()))
			.sorted(Comparator.comparingInt((Kept k) -> k.cookie().getPath().length()).reversed())
			.map((k) -> k.cookie().getName() + "=" + k.cookie().getValue())
			.toList();
		if (cookies.isEmpty()) {
			return;
		}
		String jar = String.join("; ", cookies);
		String own = headers.get(HttpHeaderNames.COOKIE);
		headers.set(HttpHeaderNames.COOKIE, (own != null && !own.isEmpty()) ? own + "; " + jar : jar);
	}

	/**
	 * Keeps the cookies a response sets; a malformed one, or one for a domain the host is not in,
	 * is left out.
	 * @param target where the request it answers went
	 * @param headers the response's headers
	 */
	public synchronized void keepCookies(ConnectTarget target, HttpHeaders headers) {
		String host = target.host().toLowerCase(Locale.ROOT);
		for (String header : headers.getAll(HttpHeaderNames.SET_COOKIE)) {
			List<HttpCookie> parsed;
			try {
				parsed = HttpCookie.parse(header);
			}
			catch (IllegalArgumentException ex) {
				logger.debug("ignored a malformed cookie from {}: {}", target.authority(), ex.getMessage());
				continue;
			}
			for (HttpCookie cookie : parsed) {
				keep(cookie, host, target);
			}
		}
		// In the order they were first stored: the oldest first.
		if (this.kept.size() > MAX_COOKIES) {
			this.kept.subList(0, this.kept.size() - MAX_COOKIES).clear();
		}
	}

	private void keep(HttpCookie cookie, String host, ConnectTarget target) {
		String domain = cookie.getDomain();
		boolean hostOnly = domain == null || domain.isEmpty() || domain.equals(".");
		// RFC 6265 section 5.2.3: a leading dot is ignored.
		domain = hostOnly ? host : domain.substring(domain.startsWith(".") ? 1 : 0).toLowerCase(Locale.ROOT);
		// A domain of one label (com, local) is taken as a public suffix, there being no list of
		// them here: a cookie for it would go to every host under it.
		if (!host.equals(domain) && (!host.endsWith("." + domain) || isAddress(host) || domain.indexOf('.') < 0)) {
			logger.debug("ignored cookie '{}' from {}: its domain {} does not take in the host", cookie.getName(),
					target.authority(), domain);
			return;
		}
		if (cookie.getPath() == null || !cookie.getPath().startsWith("/")) {
			cookie.setPath(defaultPath(path(target)));
		}
		Kept next = new Kept(cookie, domain, hostOnly);
		this.kept.removeIf(next::replaces);
		// An expired cookie (Max-Age=0, an Expires in the past) only removes the one it replaces.
		if (!cookie.hasExpired()) {
			this.kept.add(next);
		}
	}

	/**
	 * Returns how many cookies the jar holds.
	 * @return the number of unexpired cookies
	 */
	public synchronized int size() {
		this.kept.removeIf((k) -> k.cookie().hasExpired());
		return this.kept.size();
	}

	// The request's path without the query.
	private static String path(ConnectTarget target) {
		String path = target.path();
		int query = path.indexOf('?');
		return (query >= 0) ? path.substring(0, query) : path;
	}

	// RFC 6265 section 5.1.4: the request path up to its last slash, not included.
	private static String defaultPath(String path) {
		int slash = path.lastIndexOf('/');
		return (slash <= 0) ? "/" : path.substring(0, slash);
	}

	// RFC 6265 section 5.1.4.
	private static boolean pathMatches(String requestPath, String cookiePath) {
		return requestPath.equals(cookiePath) || (requestPath.startsWith(cookiePath)
				&& (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/'));
	}

	// An IP address, which gets no cookie set for a domain it would be a suffix of (RFC 6265
	// section 5.1.3).
	private static boolean isAddress(String host) {
		return host.indexOf(':') >= 0 || host.chars().allMatch((c) -> c == '.' || Character.isDigit(c));
	}

}
