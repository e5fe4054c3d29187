/**
 * What the bindings that speak http on the way to the peer share: the request headers built
 * from the streamtype policy (metadata mapped to headers, the system-blob headers), used by h1
 * requests and ws upgrade requests alike.
 */
@NullMarked
package io.securestreams.protocol.http;

import org.jspecify.annotations.NullMarked;
