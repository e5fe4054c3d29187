/**
 * Invocation of annotated handler methods through spring-messaging: callbacks become
 * {@code Message}s whose headers carry the stream, its state and flags, and argument resolvers
 * turn them into handler method parameters.
 */
@NullMarked
package io.securestreams.boot.handler;

import org.jspecify.annotations.NullMarked;
