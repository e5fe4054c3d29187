/**
 * The server side of the ws upgrade: answers the opening handshake of an http/1.1 connection and
 * hands the connection to the ws message session; the h2 binding's extended CONNECT (RFC 8441)
 * shares its decoder settings, session and SERVER_UPGRADE step.
 */
@NullMarked
package io.securestreams.server.ws;

import org.jspecify.annotations.NullMarked;
