/**
 * The Secure Streams proxy: fulfils the streams of proxied clients (libwebsockets SSPC clients
 * or Java contexts in proxied mode) with a policy, one link per stream, over a Unix or TCP
 * socket.
 */
@NullMarked
package io.securestreams.proxy;

import org.jspecify.annotations.NullMarked;
