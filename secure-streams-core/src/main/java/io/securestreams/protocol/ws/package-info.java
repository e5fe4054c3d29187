/**
 * The WebSocket binding: the client upgrade handshake with subprotocol checking, and the message
 * session both ws clients and upgraded server connections use, which maps SOM/EOM to the first and
 * final fragment of a message in both directions, answers pings and close frames, and sends
 * validity pings.
 */
@NullMarked
package io.securestreams.protocol.ws;

import org.jspecify.annotations.NullMarked;
