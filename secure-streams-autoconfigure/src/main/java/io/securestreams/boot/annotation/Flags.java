package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds an {@code int} parameter of an {@link OnRx} method to the payload's
 * {@code StreamFlags} ({@code SOM}, {@code EOM}, ...).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Flags {

}
