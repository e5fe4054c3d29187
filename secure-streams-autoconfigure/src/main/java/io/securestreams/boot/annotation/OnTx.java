package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;

/**
 * Marks the method of a {@link SecureStreamHandler} bean that supplies payload when a stream may
 * send ({@code StreamHandler.onTx}, after {@code requestTx()}); at most one per bean.
 * <p>
 * Parameters may be {@code TxSlot} (write into it and set its flags), {@code SecureStream},
 * {@code StreamState} and {@code @Metadata("name") String}. The method returns
 * {@code StreamResult} ({@code OK} sends what was written, {@code TX_DONT_SEND} sends nothing)
 * or {@code void} (= {@code OK}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective
public @interface OnTx {

}
