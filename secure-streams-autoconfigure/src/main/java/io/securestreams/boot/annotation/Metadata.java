package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a handler method parameter to a metadata value of the stream, for example a response
 * header the policy maps to a metadata name. The parameter is a {@code String} or
 * {@code byte[]}, {@code null} when the value is not set. The streamtype must declare the name.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Metadata {

	/**
	 * The metadata name, as declared in the streamtype's {@code metadata}.
	 * @return the name
	 */
	String value();

}
