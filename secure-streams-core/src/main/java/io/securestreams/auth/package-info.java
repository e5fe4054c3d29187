/**
 * Request authentication: AWS Signature Version 4 for streamtypes bound by the policy's
 * {@code auth} section and {@code use_auth}, as libwebsockets' {@code auth-sigv4} signs requests,
 * and the access token kept in the system blobs by exchanging a refresh payload through a
 * policy-defined streamtype, as libwebsockets' api.amazon.com auth does.
 */
@NullMarked
package io.securestreams.auth;

import org.jspecify.annotations.NullMarked;
