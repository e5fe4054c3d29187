/**
 * Netty transport plumbing shared by every protocol: the event loops (epoll where available,
 * NIO otherwise), socket and Unix domain socket channel types, non-blocking name resolution,
 * endpoint resolution and the connector that builds a channel's proxy and TLS layers.
 */
@NullMarked
package io.securestreams.transport;

import org.jspecify.annotations.NullMarked;
