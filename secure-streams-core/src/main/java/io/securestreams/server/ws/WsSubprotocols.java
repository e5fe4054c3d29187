package io.securestreams.server.ws;

import org.jspecify.annotations.Nullable;

/**
 * Chooses the subprotocol an upgrade is answered with, by the rules Netty's handshaker applies
 * on the http/1.1 path: the client's {@code sec-websocket-protocol} is a comma-separated list,
 * and the streamtype's {@code ws_subprotocol} is chosen when the list names it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class WsSubprotocols {

	private WsSubprotocols() {
	}

	/**
	 * Returns whether a client's offer names a subprotocol.
	 * @param offered the client's {@code sec-websocket-protocol}, or {@code null}
	 * @param subprotocol the streamtype's subprotocol
	 * @return {@code true} when one entry of the list equals it
	 */
	public static boolean offers(@Nullable CharSequence offered, String subprotocol) {
		if (offered == null) {
			return false;
		}
		for (String entry : offered.toString().split(",")) {
			if (entry.trim().equals(subprotocol)) {
				return true;
			}
		}
		return false;
	}

}
