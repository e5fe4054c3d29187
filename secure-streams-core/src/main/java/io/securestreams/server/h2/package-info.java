/**
 * The h2 server binding: ALPN {@code h2} (with an http/1.1 fallback) over TLS, prior knowledge
 * in the clear, and one accepted stream per h2 stream, as libwebsockets binds a secure stream to
 * each stream of a multiplexed connection.
 */
@NullMarked
package io.securestreams.server.h2;

import org.jspecify.annotations.NullMarked;
