package io.securestreams.boot.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Marks a bean as the handler of streams of a streamtype. The bean's methods annotated with
 * {@link OnState}, {@link OnRx} and {@link OnTx} receive the streams' callbacks.
 * <p>
 * For a <b>client</b> streamtype, {@link #count()} streams are created when the application
 * context starts (and destroyed when it stops); whether they then connect is up to the policy
 * ({@code nailed_up} streamtypes connect at once), to {@link #start()}, or to the handler, which
 * may call {@code requestTx()} on the {@code SecureStream} it is given. For a <b>server</b>
 * streamtype, the listener is created and every accepted connection is dispatched to the same
 * methods (its {@code SecureStream} has the role {@code ACCEPTED}).
 * <p>
 * Callbacks run on the stream's event loop: handler methods must not block.
 * <p>
 * Repeatable: one bean may handle several streamtypes with the same methods.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 * @see EnableSecureStreams
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(SecureStreamHandlers.class)
public @interface SecureStreamHandler {

	/**
	 * Alias for {@link #streamtype()}.
	 * @return the streamtype name
	 */
	@AliasFor("streamtype")
	String value() default "";

	/**
	 * The streamtype whose streams this bean handles; must exist in the policy, or be the
	 * built-in {@code _lws_smd} (see {@link #smdClasses()}). Placeholders such as
	 * {@code ${my.streamtype}} are resolved.
	 * @return the streamtype name
	 */
	@AliasFor("value")
	String streamtype() default "";

	/**
	 * The id of this handler in the {@code SecureStreamHandlerEndpointRegistry}; defaults to
	 * {@code beanName#streamtype}.
	 * @return the id
	 */
	String id() default "";

	/**
	 * Whether the streams are created when the application context starts; {@code "false"}
	 * leaves that to {@code registry.getHandlerContainer(id).start()}. Placeholders are resolved.
	 * @return {@code "true"}, {@code "false"} or a placeholder; empty means true
	 */
	String autoStartup() default "";

	/**
	 * For the built-in {@code _lws_smd} streamtype (system messages, which needs no policy
	 * entry): the {@code SmdClass} bits whose messages the streams receive. Each message arrives
	 * as one rx with SOM and EOM, in the form {@code SmdMessage.decode} reads. Only allowed with
	 * that streamtype.
	 * @return the class mask; 0 receives nothing (the streams can still send)
	 */
	long smdClasses() default 0;

	/**
	 * The credit each client stream gives its peer to start with, as
	 * {@code SecureStreams.create(streamtype, handler, initialPeerTxCredit)} takes it: for an h2
	 * streamtype, each transaction's h2 stream opens with that receive window, widened only by the
	 * handler's {@code SecureStream.addPeerTxCredit} grants. Not allowed with {@code _lws_smd}.
	 * @return the credit in bytes; 0 (the default) for automatic flow control
	 */
	int initialPeerTxCredit() default 0;

	/**
	 * How many streams to create for a client streamtype. Server streamtypes have one listener.
	 * @return the count, at least 1
	 */
	int count() default 1;

	/**
	 * What to do with each client stream once created.
	 * @return the start action
	 */
	Start start() default Start.NONE;

	/**
	 * What happens to a client stream right after it is created.
	 */
	enum Start {

		/** Nothing: the policy ({@code nailed_up}) or the handler decides when to connect. */
		NONE,

		/** Ask for a transaction at once ({@code requestTx()}): POLL, CONNECTING, CONNECTED... */
		REQUEST_TX,

		/** Connect at once ({@code connect()}), without asking to send. */
		CONNECT

	}

}
