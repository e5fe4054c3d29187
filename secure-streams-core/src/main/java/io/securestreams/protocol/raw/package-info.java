/**
 * The raw binding: a plain or TLS byte stream without framing. Received bytes are delivered with
 * flags 0 and tx flags are ignored; used by raw client streams and raw server connections.
 */
@NullMarked
package io.securestreams.protocol.raw;

import org.jspecify.annotations.NullMarked;
