/**
 * What the bindings that speak http share: the request a streamtype's policy describes (method,
 * path, metadata mapped to headers, the system-blob headers, body framing, an auth signature),
 * the writer of its body from {@code onTx}, the reading of each response head (status, redirects,
 * Retry-After, headers mapped to metadata) and the headers of ws upgrade requests. Written and
 * read as Netty's version-neutral http objects, so the h1 binding and the streams of the h2
 * binding use them alike.
 */
@NullMarked
package io.securestreams.protocol.http;

import org.jspecify.annotations.NullMarked;
