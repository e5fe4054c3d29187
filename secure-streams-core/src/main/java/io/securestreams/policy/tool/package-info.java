/**
 * The command-line policy tool: validates policies, merges overlays and turns a policy into Java
 * source (the counterpart of the libwebsockets {@code policy2c} example).
 */
@NullMarked
package io.securestreams.policy.tool;

import org.jspecify.annotations.NullMarked;
