package io.securestreams.protocol;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.CookieStore;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

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
 * expiry that the JDK's {@link CookieManager} applies, accepting cookies only for the server that
 * set them. The jar is shared by every such streamtype of the context and kept in memory for the
 * context's life (libwebsockets keeps it in a file named by its context). It holds at most
 * {@value #MAX_COOKIES} cookies, the number RFC 6265 asks a client to be able to keep, dropping
 * the oldest beyond, so that servers setting ever new cookies cannot grow it without bound.
 * Thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class CookieJar {

	private static final Logger logger = LoggerFactory.getLogger(CookieJar.class);

	/** Most cookies the jar keeps. */
	public static final int MAX_COOKIES = 3000;

	private final CookieManager manager = new CookieManager(null, CookiePolicy.ACCEPT_ORIGINAL_SERVER);

	/**
	 * Adds the cookies that apply to a request, after any cookie header the request already has.
	 * @param target where the request goes
	 * @param headers the request's headers
	 */
	public void addCookies(ConnectTarget target, HttpHeaders headers) {
		URI uri = uri(target);
		List<String> cookies;
		try {
			cookies = this.manager.get(uri, Map.of()).getOrDefault("Cookie", List.of());
		}
		catch (IOException ex) {
			// The in-memory store does no I/O.
			throw new IllegalStateException(ex);
		}
		if (cookies.isEmpty()) {
			return;
		}
		String jar = String.join("; ", cookies);
		String own = headers.get(HttpHeaderNames.COOKIE);
		headers.set(HttpHeaderNames.COOKIE, (own != null && !own.isEmpty()) ? own + "; " + jar : jar);
	}

	/**
	 * Keeps the cookies a response sets.
	 * @param target where the request it answers went
	 * @param headers the response's headers
	 */
	public void keepCookies(ConnectTarget target, HttpHeaders headers) {
		List<String> set = headers.getAll(HttpHeaderNames.SET_COOKIE);
		if (set.isEmpty()) {
			return;
		}
		try {
			// A malformed cookie, or one for another domain, is left out by the manager.
			this.manager.put(uri(target), Map.of("Set-Cookie", set));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		CookieStore store = this.manager.getCookieStore();
		// In the order they were first stored: the oldest first.
		List<HttpCookie> kept = store.getCookies();
		for (int i = 0; i < kept.size() - MAX_COOKIES; i++) {
			store.remove(null, kept.get(i));
		}
		logger.debug("kept the cookies {} set", target);
	}

	/**
	 * Returns how many cookies the jar holds.
	 * @return the number of unexpired cookies
	 */
	public int size() {
		return this.manager.getCookieStore().getCookies().size();
	}

	// The request's URL as cookie rules see it: scheme (https for TLS, ws included), host and path,
	// without the query.
	private static URI uri(ConnectTarget target) {
		String host = (target.host().indexOf(':') >= 0) ? "[" + target.host() + "]" : target.host();
		String port = (target.port() > 0) ? ":" + target.port() : "";
		String path = target.path();
		int query = path.indexOf('?');
		path = (query >= 0) ? path.substring(0, query) : path;
		String scheme = target.tls() ? "https://" : "http://";
		try {
			return new URI(scheme + host + port + path);
		}
		catch (URISyntaxException ex) {
			// A path the URI syntax refuses still has the host's cookies of path "/".
			return URI.create(scheme + host + port + "/");
		}
	}

}
