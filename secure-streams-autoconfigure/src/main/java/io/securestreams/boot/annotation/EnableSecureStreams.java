package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;

/**
 * Turns on the discovery of {@link SecureStreamHandler} beans. Spring Boot's auto-configuration
 * applies it for you; declare it yourself only without auto-configuration. A
 * {@code SecureStreams} bean must exist.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 * @see SecureStreamHandlerConfigurer
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(SecureStreamsConfigurationSelector.class)
public @interface EnableSecureStreams {

}
