/**
 * The http/1.1 server binding: request metadata before each SERVER_TXN, responses whose status,
 * headers and body the handler supplies, keep-alive, protection against oversized, slow and malformed
 * requests, and hand-over to ws when the streamtype accepts upgrades.
 */
@NullMarked
package io.securestreams.server.h1;

import org.jspecify.annotations.NullMarked;
