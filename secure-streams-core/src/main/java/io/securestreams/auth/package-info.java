/**
 * Request authentication bound to a streamtype by the policy's {@code auth} section and
 * {@code use_auth}: AWS Signature Version 4, as libwebsockets' {@code auth-sigv4} signs requests.
 */
@NullMarked
package io.securestreams.auth;

import org.jspecify.annotations.NullMarked;
