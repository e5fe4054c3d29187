package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks the method of a {@link SecureStreamHandler} bean that receives payload
 * ({@code StreamHandler.onRx}); at most one per bean.
 * <p>
 * The payload parameter (unannotated, or with {@code @Payload}) may be {@code byte[]},
 * {@code String} (UTF-8) or {@code ByteBuffer} (read-only): the method is then called for every
 * chunk as it arrives, with its {@link Flags} ({@code SOM}, {@code EOM}); a chunk may be empty
 * (an http transaction ends with an empty {@code EOM}). Any other type is mapped from JSON with
 * Jackson: the chunks of a message are then collected from {@code SOM} to {@code EOM} and the
 * method is called once per whole, non-empty message (at most 4 MiB).
 * <p>
 * Other parameters may be {@code SecureStream}, {@code StreamState}, {@code @Flags int},
 * {@code @Metadata("name") String} and {@code Message<?>}. The method returns
 * {@code StreamResult} or {@code void} (= {@code OK}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(OnRxReflectiveProcessor.class)
public @interface OnRx {

}
