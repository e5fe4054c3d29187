/**
 * A loopback harness comparing http/1.1 or HTTP/2 clients (this runtime, Reactor Netty, the JDK
 * client) against one local TLS server, interleaved in one run.
 */
@NullMarked
package io.securestreams.benchmarks.h1;

import org.jspecify.annotations.NullMarked;
