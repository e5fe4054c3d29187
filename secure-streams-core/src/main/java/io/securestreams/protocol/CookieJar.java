package io.securestreams.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.ClientCookieEncoder;
import io.netty.handler.codec.http.cookie.Cookie;
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
 * itself ({@code com}, {@code local}) is refused, as a public suffix. {@code Max-Age} outranks
 * {@code Expires}, and a {@code Max-Age} of zero or less removes the cookie. (The JDK's
 * {@code CookieManager} and {@code HttpCookie} are not used: their RFC 2965 rules send a host's
 * cookies to any host name that ends with it, refuse a subdomain's cookie for its parent domain,
 * keep a cookie whose {@code Max-Age} is negative for the session and strip a quoted value's
 * quotes; Netty's RFC 6265 decoder reads each {@code Set-Cookie} instead.) The jar is shared by
 * every such streamtype of the context and kept in memory for the context's life (libwebsockets
 * keeps it in a file named by its context). It holds at most {@value #MAX_COOKIES} cookies, the
 * number RFC 6265 asks a client to be able to keep, dropping the oldest beyond, so that servers
 * setting ever new cookies cannot grow it without bound. Thread-safe.
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
	 * @param expiresAt when it expires on the {@link System#nanoTime()} clock, or
	 * {@link Long#MAX_VALUE} for a cookie kept for the jar's life
	 */
	private record Kept(Cookie cookie, String domain, boolean hostOnly, long expiresAt) {

		boolean replaces(Kept other) {
			return this.cookie.name().equals(other.cookie.name()) && this.domain.equals(other.domain)
					&& this.cookie.path().equals(other.cookie.path());
		}

		boolean appliesTo(String host, String path, boolean tls) {
			boolean domainMatch = host.equals(this.domain)
					|| (!this.hostOnly && host.endsWith("." + this.domain) && !isAddress(host));
			return domainMatch && pathMatches(path, this.cookie.path()) && (tls || !this.cookie.isSecure());
		}

		boolean expired(long now) {
			return this.expiresAt != Long.MAX_VALUE && now - this.expiresAt >= 0;
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
		removeExpired();
		String host = target.host().toLowerCase(Locale.ROOT);
		String path = path(target);
		// RFC 6265 section 5.4: the longer paths first; among equal ones the older first.
		List<Cookie> cookies = this.kept.stream()
			.filter((k) -> k.appliesTo(host, path, target.tls()))
			.map(Kept::cookie)
			.sorted(Comparator.comparingInt((Cookie c) -> c.path().length()).reversed())
			.toList();
		if (cookies.isEmpty()) {
			return;
		}
		// The lax encoder keeps that order (the strict one sorts again) and quotes a value that
		// came quoted.
		String jar = ClientCookieEncoder.LAX.encode(cookies);
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
			Cookie cookie = ClientCookieDecoder.LAX.decode(header);
			if (cookie == null) {
				logger.debug("ignored a malformed cookie from {}", target.authority());
				continue;
			}
			keep(cookie, host, target);
		}
		// In the order they were first stored: the oldest first.
		if (this.kept.size() > MAX_COOKIES) {
			this.kept.subList(0, this.kept.size() - MAX_COOKIES).clear();
		}
	}

	private void keep(Cookie cookie, String host, ConnectTarget target) {
		String domain = cookie.domain();
		boolean hostOnly = domain == null || domain.isEmpty() || domain.equals(".");
		// RFC 6265 section 5.2.3: a leading dot is ignored.
		domain = hostOnly ? host : domain.substring(domain.startsWith(".") ? 1 : 0).toLowerCase(Locale.ROOT);
		// A domain of one label (com, local) is taken as a public suffix, there being no list of
		// them here: a cookie for it would go to every host under it.
		if (!host.equals(domain) && (!host.endsWith("." + domain) || isAddress(host) || domain.indexOf('.') < 0)) {
			logger.debug("ignored cookie '{}' from {}: its domain {} does not take in the host", cookie.name(),
					target.authority(), domain);
			return;
		}
		if (cookie.path() == null || !cookie.path().startsWith("/")) {
			cookie.setPath(defaultPath(path(target)));
		}
		long now = System.nanoTime();
		Kept next = new Kept(cookie, domain, hostOnly, expiresAt(cookie.maxAge(), now));
		this.kept.removeIf(next::replaces);
		// An expired cookie (Max-Age of zero or less, an Expires in the past) only removes the one
		// it replaces.
		if (!next.expired(now)) {
			this.kept.add(next);
		}
	}

	// The decoder gives Max-Age when there is one, else the seconds to Expires, else nothing.
	private static long expiresAt(long maxAge, long now) {
		if (maxAge == Cookie.UNDEFINED_MAX_AGE) {
			return Long.MAX_VALUE;
		}
		if (maxAge <= 0) {
			return now;
		}
		// Beyond a century is as good as for the jar's life, and keeps the nanoseconds in range.
		long seconds = Math.min(maxAge, TimeUnit.DAYS.toSeconds(36500));
		return now + TimeUnit.SECONDS.toNanos(seconds);
	}

	private void removeExpired() {
		long now = System.nanoTime();
		this.kept.removeIf((k) -> k.expired(now));
	}

	/**
	 * Returns how many cookies the jar holds.
	 * @return the number of unexpired cookies
	 */
	public synchronized int size() {
		removeExpired();
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
