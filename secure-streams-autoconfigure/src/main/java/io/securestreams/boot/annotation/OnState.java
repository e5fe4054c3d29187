package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks a method of a {@link SecureStreamHandler} bean that receives state changes
 * ({@code StreamHandler.onState}). Every matching {@code @OnState} method of the bean is called,
 * in method name order; the strongest result wins ({@code DESTROY_ME} over
 * {@code DISCONNECT_ME} over {@code OK}).
 * <p>
 * Parameters may be, in any order: {@code SecureStream}, {@code StreamState},
 * {@code @Header(SecureStreamHeaders.ACK) long ack}, {@code @Metadata("name") String}, or a
 * spring-messaging {@code Message<?>}. The method returns {@code StreamResult} or {@code void}
 * (= {@code OK}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective
public @interface OnState {

	/**
	 * The states this method receives, by name (for example {@code "CONNECTED"},
	 * {@code "QOS_ACK_REMOTE"} or {@code "USER_STATE_1530"}); empty means every state.
	 * @return the state names
	 */
	String[] value() default {};

}
