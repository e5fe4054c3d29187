/**
 * The policy database: an immutable, typed model of everything that decides how a secure
 * stream connects (endpoints, protocols, TLS trust, retry and backoff, metadata, auth), with
 * its validation rules and overlays.
 */
@NullMarked
package io.securestreams.policy;

import org.jspecify.annotations.NullMarked;
