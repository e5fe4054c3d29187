/**
 * A loopback harness comparing this runtime's ws client and server with Reactor Netty's, each
 * client against each server, interleaved in one run; optionally also a hand-written Netty
 * client and server, the floor of any Netty-based ws stack.
 */
@NullMarked
package io.securestreams.benchmarks.ws;

import org.jspecify.annotations.NullMarked;
