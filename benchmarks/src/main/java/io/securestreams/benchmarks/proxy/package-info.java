/**
 * A loopback harness comparing the same http client in direct mode and through the Secure
 * Streams proxy over a Unix socket, interleaved in one run.
 */
@NullMarked
package io.securestreams.benchmarks.proxy;

import org.jspecify.annotations.NullMarked;
