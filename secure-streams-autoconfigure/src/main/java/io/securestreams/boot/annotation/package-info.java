/**
 * Annotation-driven stream handlers: {@link io.securestreams.boot.annotation.SecureStreamHandler}
 * on a bean, {@link io.securestreams.boot.annotation.OnState},
 * {@link io.securestreams.boot.annotation.OnRx} and {@link io.securestreams.boot.annotation.OnTx}
 * on its methods, and {@link io.securestreams.boot.annotation.EnableSecureStreams} to turn the
 * support on without auto-configuration.
 */
@NullMarked
package io.securestreams.boot.annotation;

import org.jspecify.annotations.NullMarked;
