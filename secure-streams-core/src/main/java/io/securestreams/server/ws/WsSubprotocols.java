package io.securestreams.server.ws;

import org.jspecify.annotations.Nullable;

/**
 * Chooses the subprotocol an upgrade is answered with, by the rules Netty's handshaker applies
 * on the http/1.1 path: the client's {@code sec-websocket-protocol} is a comma-separated list,
 * and so may the streamtype's {@code ws_subprotocol} be; the client's first entry the streamtype
 * accepts is chosen.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class WsSubprotocols {

	private WsSubprotocols() {
	}

	/**
	 * Chooses the subprotocol to answer a client's offer with: the first entry of the client's
	 * list that the streamtype accepts, as Netty's handshaker does on the http/1.1 path.
	 * @param offered the client's {@code sec-websocket-protocol}, or {@code null}
	 * @param accepted the streamtype's {@code ws_subprotocol}: one name, or several separated by
	 * commas
	 * @return the subprotocol, or {@code null} when the client offers none the streamtype accepts
	 */
	public static @Nullable String choose(@Nullable CharSequence offered, String accepted) {
		if (offered == null) {
			return null;
		}
		for (String entry : offered.toString().split(",")) {
			String candidate = entry.strip();
			for (String name : accepted.split(",")) {
				if (name.strip().equals(candidate)) {
					return candidate;
				}
			}
		}
		return null;
	}

}
