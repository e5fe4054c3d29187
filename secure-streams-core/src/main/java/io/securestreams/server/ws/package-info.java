/**
 * The server side of the ws upgrade: answers the opening handshake of an http/1.1 connection and
 * hands the connection to the ws message session.
 */
@NullMarked
package io.securestreams.server.ws;

import org.jspecify.annotations.NullMarked;
