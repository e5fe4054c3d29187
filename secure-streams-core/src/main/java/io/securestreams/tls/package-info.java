/**
 * TLS for secure streams: client contexts built once per trust store and client certificate
 * (hostname verification always on, SNI always sent), and server contexts from the policy's
 * certificate and key.
 */
@NullMarked
package io.securestreams.tls;

import org.jspecify.annotations.NullMarked;
