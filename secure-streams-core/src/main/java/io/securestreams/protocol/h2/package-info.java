/**
 * The HTTP/2 client binding ({@code "protocol": "h2"}), after libwebsockets' {@code ss-h2.c}:
 * each transaction is one h2 stream, with the same request building, body writing and response
 * handling as h1; transactions of every stream that goes to the same endpoint with the same TLS
 * and socket settings share one network connection, as libwebsockets pipelines its h2 streams.
 * TLS connections must agree on {@code h2} by ALPN; plain connections speak h2 with prior
 * knowledge.
 */
@NullMarked
package io.securestreams.protocol.h2;

import org.jspecify.annotations.NullMarked;
