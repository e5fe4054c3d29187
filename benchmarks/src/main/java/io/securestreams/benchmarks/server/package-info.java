/**
 * Loopback harness for this runtime's http servers (h1 and h2 server streamtypes) against
 * Reactor Netty's, driven by Debian's h2load (nghttp2), a client that is neither's.
 */
@NullMarked
package io.securestreams.benchmarks.server;

import org.jspecify.annotations.NullMarked;
