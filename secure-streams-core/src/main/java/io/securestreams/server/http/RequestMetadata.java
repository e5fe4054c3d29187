package io.securestreams.server.http;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.securestreams.SecureStreamsException;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.StreamTypeValues;
import io.securestreams.server.ServerLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what a request says into the accepted stream's metadata before SERVER_TXN, as
 * libwebsockets does for h1 and h2 alike: {@code path} (the percent-decoded path without the
 * query, its dot segments resolved and repeated slashes collapsed; of a target in absolute form,
 * {@code http://host/path}, its path; {@code *} of {@code OPTIONS *}), {@code method},
 * {@code auth} (the Authorization header) when declared and sent, and every other declared
 * metadata name that has no header mapping and appears as a URL query argument (its first
 * value). {@code path} and query arguments hold the bytes the client sent, percent-decoded,
 * UTF-8 or not. With {@code direct_proto_str} every request header is readable by its name with
 * a colon.
 * <p>
 * A query argument never fills {@code path}, {@code method} or {@code auth}, nor a name mapped
 * to a response header, as current libwebsockets also rules: otherwise {@code ?auth=...} would
 * stand in for an Authorization header the client did not send, and {@code ?mime=text/html}
 * would choose the response's Content-Type. A value of {@code path}, {@code method} or
 * {@code auth} that is mapped to a header and holds control characters refuses the request.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RequestMetadata {

	private static final Logger logger = LoggerFactory.getLogger(RequestMetadata.class);

	/** Metadata name holding the request path. */
	public static final String PATH = "path";

	/** Metadata name holding the request method. */
	public static final String METHOD = "method";

	/** Metadata name holding the Authorization header. */
	public static final String AUTH = "auth";

	private static final Set<String> REQUEST_DERIVED = Set.of(PATH, METHOD, AUTH);

	private RequestMetadata() {
	}

	/**
	 * Checks that an http server streamtype declares {@code path} and {@code method}.
	 * libwebsockets silently drops every request when they are missing; this runtime refuses to
	 * create the listener instead.
	 * @param policy the server streamtype
	 * @throws SecureStreamsException naming the missing declaration
	 */
	public static void requireDeclared(StreamTypePolicy policy) {
		for (String name : List.of(PATH, METHOD)) {
			if (policy.metadata(name) == null) {
				throw new SecureStreamsException("server streamtype '" + policy.name() + "' must declare metadata \""
						+ name + "\": the http server stores each request's path and method there (for example "
						+ "\"metadata\": [{\"path\": \"\"}, {\"method\": \"\"}])");
			}
		}
	}

	/**
	 * Stores a request's metadata.
	 * @param link the accepted stream
	 * @param uri the request target (h1 request line, h2 {@code :path})
	 * @param method the request method
	 * @param authorization the Authorization header, or {@code null}
	 * @param headers every request header, readable by name with {@code direct_proto_str}
	 * @throws IllegalArgumentException when the URI cannot be decoded, or when {@code path},
	 * {@code method} or {@code auth} is mapped to a header and its value holds a control
	 * character (it would go into the response head)
	 */
	public static void store(ServerLink link, String uri, String method, @Nullable String authorization,
			Iterable<Map.Entry<CharSequence, CharSequence>> headers) {
		if ("*".equals(uri) && !"OPTIONS".equals(method)) {
			// RFC 9112 section 3.2.4 (and RFC 9113 section 8.3.1 for :path): the asterisk form
			// names the server as a whole, for OPTIONS only.
			throw new IllegalArgumentException(
					"'*' names no resource; it is the target of OPTIONS only, not " + method);
		}
		String origin = originForm(uri);
		if (!origin.startsWith("/") && !"*".equals(uri) && !"CONNECT".equals(method)) {
			// RFC 9112 section 3.2 and RFC 9113 section 8.3.1: a path starting with '/', an
			// absolute URI, or '*'; anything else ("hello", "?a=b") names no resource.
			throw new IllegalArgumentException("request target '" + uri + "' is neither a path starting with '/' "
					+ "nor an absolute URI");
		}
		StreamTypePolicy policy = link.policy();
		// The target holds one char per byte (as Netty reads the request line and h2 :path), and
		// percent-decoding by ISO-8859-1 keeps one char per byte too: the metadata then holds the
		// bytes the client meant, whether UTF-8 or not, as libwebsockets hands them on.
		QueryStringDecoder decoded = new QueryStringDecoder(origin, StandardCharsets.ISO_8859_1);
		Set<String> seen = new HashSet<>();
		for (String argument : decoded.rawQuery().split("&")) {
			// Split here, not by Netty's decoder: it also split at ';' ("?name=a;b" gave "a"),
			// kept only 1024 arguments, and took "=name" for an argument "name"; libwebsockets
			// splits at '&' alone and matches a name only before its '='.
			int equals = argument.indexOf('=');
			if (argument.isEmpty() || equals == 0) {
				continue;
			}
			// Every argument is decoded, so that a bad escape anywhere refuses the request as before.
			String name = QueryStringDecoder.decodeComponent((equals < 0) ? argument : argument.substring(0, equals),
					StandardCharsets.ISO_8859_1);
			String value = QueryStringDecoder.decodeComponent((equals < 0) ? "" : argument.substring(equals + 1),
					StandardCharsets.ISO_8859_1);
			MetadataDeclaration declaration = policy.metadata(name);
			if (declaration == null || !seen.add(name)) {
				continue;
			}
			if (REQUEST_DERIVED.contains(name) || declaration.isMapped()) {
				logger.debug("{}: ignoring query argument '{}': it may not set request or response header metadata",
						link.describe(), name);
				continue;
			}
			set(link, name, value);
		}
		// The asterisk form (OPTIONS *, RFC 9112 section 3.2.4) names the server as a whole: kept
		// as is, as libwebsockets keeps it, so that a handler can tell it from the resource /*.
		String path = "*".equals(uri) ? uri : RequestPaths.normalize(decoded.path());
		setSendable(link, PATH, path.getBytes(StandardCharsets.ISO_8859_1));
		setSendable(link, METHOD, method.getBytes(StandardCharsets.UTF_8));
		if (authorization != null && policy.metadata(AUTH) != null) {
			// A header value as Netty decodes it, one char per byte: these are the bytes sent.
			setSendable(link, AUTH, authorization.getBytes(StandardCharsets.ISO_8859_1));
		}
		link.receivedHeaders(headers);
	}

	// RFC 9112 section 3.2.2: a request target in absolute form (http://host/path?query, sent to
	// proxies) must be accepted, and its path is what the handler routes on, not the whole URI.
	static String originForm(String target) {
		int scheme = target.indexOf("://");
		if (scheme <= 0 || !isScheme(target, scheme)) {
			return target;
		}
		int authorityEnd = scheme + 3;
		while (authorityEnd < target.length() && "/?#".indexOf(target.charAt(authorityEnd)) < 0) {
			authorityEnd++;
		}
		String rest = target.substring(authorityEnd);
		return (rest.isEmpty() || rest.charAt(0) != '/') ? "/" + rest : rest;
	}

	private static boolean isScheme(String target, int end) {
		for (int i = 0; i < end; i++) {
			char c = target.charAt(i);
			boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			if (!letter && (i == 0 || ((c < '0' || c > '9') && c != '+' && c != '-' && c != '.'))) {
				return false;
			}
		}
		return true;
	}

	private static void set(ServerLink link, String name, String value) {
		link.receivedMetadata(name, value.getBytes(StandardCharsets.ISO_8859_1));
	}

	// The request's own values cannot be skipped like a query argument (the handler routes on
	// them, and a query argument of the same name would stand in): a value that a header
	// mapping would put into the response head refuses the request instead.
	private static void setSendable(ServerLink link, String name, byte[] value) {
		MetadataDeclaration declaration = link.policy().metadata(name);
		int invalid = StreamTypeValues.invalidHeaderValueIndex(value);
		if (declaration != null && declaration.isMapped() && invalid >= 0) {
			throw new IllegalArgumentException("metadata '" + name + "' is sent as a response header and its value "
					+ "holds a control character (0x" + Integer.toHexString(value[invalid] & 0xff) + ")");
		}
		link.receivedMetadata(name, value);
	}

}
