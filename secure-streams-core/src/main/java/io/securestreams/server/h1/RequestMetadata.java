package io.securestreams.server.h1;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.server.ServerLink;

/**
 * Stores what a request says into the accepted stream's metadata before SERVER_TXN, as
 * libwebsockets does: every declared metadata name that appears as a URL query argument (its
 * first value), then {@code path} (the decoded path, without the query), {@code method} and,
 * when declared and sent, {@code auth} (the Authorization header).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RequestMetadata {

	/** Metadata name holding the request path. */
	static final String PATH = "path";

	/** Metadata name holding the request method. */
	static final String METHOD = "method";

	/** Metadata name holding the Authorization header. */
	static final String AUTH = "auth";

	private RequestMetadata() {
	}

	/**
	 * Stores the request's metadata.
	 * @param link the accepted stream
	 * @param request the request head
	 * @throws IllegalArgumentException when the URI cannot be decoded
	 */
	static void store(ServerLink link, HttpRequest request) {
		StreamTypePolicy policy = link.policy();
		QueryStringDecoder uri = new QueryStringDecoder(request.uri());
		for (Map.Entry<String, List<String>> argument : uri.parameters().entrySet()) {
			if (policy.metadata(argument.getKey()) != null && !argument.getValue().isEmpty()) {
				set(link, argument.getKey(), argument.getValue().get(0));
			}
		}
		set(link, PATH, uri.path());
		set(link, METHOD, request.method().name());
		String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION);
		if (auth != null && policy.metadata(AUTH) != null) {
			set(link, AUTH, auth);
		}
	}

	private static void set(ServerLink link, String name, String value) {
		link.receivedMetadata(name, value.getBytes(StandardCharsets.UTF_8));
	}

}
