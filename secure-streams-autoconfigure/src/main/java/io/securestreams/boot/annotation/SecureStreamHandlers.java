package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Container of repeated {@link SecureStreamHandler} annotations.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SecureStreamHandlers {

	/**
	 * The handler declarations.
	 * @return the declarations
	 */
	SecureStreamHandler[] value();

}
