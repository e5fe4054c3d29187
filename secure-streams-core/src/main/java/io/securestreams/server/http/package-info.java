/**
 * What the http/1.1 and h2 server bindings share: the request metadata stored before each
 * SERVER_TXN, the check that a server streamtype declares it, and the response the handler
 * drives (status, metadata headers, body length, body until EOM).
 */
@NullMarked
package io.securestreams.server.http;

import org.jspecify.annotations.NullMarked;
