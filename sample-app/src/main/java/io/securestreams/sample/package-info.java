/**
 * The Secure Streams sample application: a server streamtype, h1 and ws client streamtypes that
 * talk to it, and the actuator endpoints.
 */
@NullMarked
package io.securestreams.sample;

import org.jspecify.annotations.NullMarked;
