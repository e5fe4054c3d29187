package io.securestreams.server.ws;

import java.util.Base64;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * What RFC 6455 section 4.2.1 requires of an opening handshake that Netty's handshaker does not
 * check: an HTTP/1.1 (or later) request, and a {@code Sec-WebSocket-Key} that is 16 bytes in
 * base64. The server must answer any other with 400.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class UpgradeRequestCheck {

	private static final int KEY_BYTES = 16;

	private UpgradeRequestCheck() {
	}

	/**
	 * Checks an upgrade request's head.
	 * @param request the request
	 * @return what is wrong with it, or {@code null} when the handshaker may take it
	 */
	static @Nullable String problem(HttpRequest request) {
		if (request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) < 0) {
			return "an " + request.protocolVersion().text()
					+ " request cannot upgrade to ws, HTTP/1.1 at least is needed";
		}
		String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
		if (key == null) {
			// Netty's handshaker refuses it and says so.
			return null;
		}
		byte[] decoded;
		try {
			decoded = Base64.getDecoder().decode(key.trim());
		}
		catch (IllegalArgumentException ex) {
			decoded = null;
		}
		if (decoded == null || decoded.length != KEY_BYTES) {
			return "Sec-WebSocket-Key '" + key + "' is not " + KEY_BYTES + " bytes in base64";
		}
		return null;
	}

}
