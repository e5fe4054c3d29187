package io.securestreams.protocol.http;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cookies of a context's streamtypes with {@code http_cookies}: what their peers set with
 * {@code Set-Cookie} is kept, and brought out again on their later requests to where it applies
 * (domain, path, {@code Secure} and expiry as RFC 6265 has them, by the JDK's
 * {@link CookieManager}), as libwebsockets' cookie jar does for {@code LCCSCF_CACHE_COOKIES}. The
 * jar is one per context, shared by those streamtypes, and lives in memory only (libwebsockets
 * keeps it in a Netscape cookie file). It is safe to use from any thread.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class CookieJar {

	private static final Logger logger = LoggerFactory.getLogger(CookieJar.class);

	private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ORIGINAL_SERVER);

	/**
	 * Keeps the cookies a response sets.
	 * @param target where the request went
	 * @param path the request's path and query
	 * @param setCookies the response's {@code Set-Cookie} values
	 */
	void store(ConnectTarget target, String path, List<String> setCookies) {
		URI uri = uri(target, path);
		if (setCookies.isEmpty() || uri == null) {
			return;
		}
		try {
			this.cookies.put(uri, Map.of("Set-Cookie", setCookies));
		}
		catch (IOException | IllegalArgumentException ex) {
			logger.debug("cookies from {} not kept: {}", uri, ex.getMessage());
		}
	}

	/**
	 * Returns the {@code Cookie} header value for a request.
	 * @param target where the request goes
	 * @param path the request's path and query
	 * @return the cookies that apply, joined with {@code "; "}, or {@code null} when none do
	 */
	@Nullable String header(ConnectTarget target, String path) {
		URI uri = uri(target, path);
		if (uri == null) {
			return null;
		}
		try {
			List<String> values = this.cookies.get(uri, Map.of()).get("Cookie");
			return (values == null || values.isEmpty()) ? null : String.join("; ", values);
		}
		catch (IOException | IllegalArgumentException ex) {
			logger.debug("cookies for {} not sent: {}", uri, ex.getMessage());
			return null;
		}
	}

	private static @Nullable URI uri(ConnectTarget target, String path) {
		try {
			URI relative = new URI(path);
			return new URI(target.tls() ? "https" : "http", null, target.host(),
					(target.port() > 0) ? target.port() : -1, relative.getPath(), null, null);
		}
		catch (URISyntaxException ex) {
			return null;
		}
	}

}
