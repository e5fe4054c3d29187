/**
 * A loopback harness comparing this runtime's ws client and server with Reactor Netty's, each
 * client against each server, interleaved in one run.
 */
@NullMarked
package io.securestreams.benchmarks.ws;

import org.jspecify.annotations.NullMarked;
