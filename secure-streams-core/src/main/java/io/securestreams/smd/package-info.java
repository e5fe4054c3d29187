/**
 * System message distribution (SMD), the counterpart of libwebsockets' {@code lws_smd}: a
 * context-wide bus of short classed messages (network changes, captive portal results, user
 * classes), and the built-in {@code _lws_smd} streamtype that carries them to and from streams,
 * also through a Secure Streams proxy.
 */
@NullMarked
package io.securestreams.smd;

import org.jspecify.annotations.NullMarked;
