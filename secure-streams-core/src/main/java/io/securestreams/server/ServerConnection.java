package io.securestreams.server;

import io.securestreams.protocol.ProtocolConnection;

/**
 * The runtime's handle on one accepted connection a server binding drives.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface ServerConnection extends ProtocolConnection {

	/**
	 * The transport is ready: the socket is connected and, with TLS, the handshake completed.
	 * The binding starts reading (and a raw binding reports CONNECTED).
	 */
	void start();

}
