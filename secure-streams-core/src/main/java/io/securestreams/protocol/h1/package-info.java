/**
 * The HTTP/1.1 client binding: one transaction per {@code requestTx}, request bodies from
 * {@code onTx} with a content-length or chunked, responses delivered with SOM and a final
 * zero-length EOM, then QOS_ACK_REMOTE or QOS_NACK_REMOTE; keep-alive reuse between
 * transactions of a stream, redirects by policy, 503/429 retries honouring Retry-After.
 */
@NullMarked
package io.securestreams.protocol.h1;

import org.jspecify.annotations.NullMarked;
