package io.securestreams.boot.handler;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.boot.annotation.Flags;
import io.securestreams.boot.annotation.Metadata;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.OnTx;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.ValueConstants;
import org.springframework.util.StringUtils;

/**
 * Checks a handler method's parameters and return type against what its kind of callback can
 * supply, so that a bad signature fails start-up instead of the first callback.
 *
 * @param kind the callback kind
 * @param payloadType the payload parameter's type, or {@code null} when there is none
 * @param metadataNames the metadata names the method reads
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record HandlerMethodSignature(Kind kind, @Nullable Class<?> payloadType, List<String> metadataNames) {

	/**
	 * Copies the metadata names, unmodifiable.
	 * @param kind the callback kind
	 * @param payloadType the payload parameter's type, or {@code null} when there is none
	 * @param metadataNames the metadata names the method reads
	 */
	public HandlerMethodSignature {
		metadataNames = List.copyOf(metadataNames);
	}

	/**
	 * Returns whether rx chunks must be collected into whole messages for this method.
	 * @return {@code true} for a JSON-mapped payload
	 */
	public boolean wholeMessages() {
		return this.payloadType != null && !StreamPayloadArgumentResolver.isRaw(this.payloadType);
	}

	/**
	 * Inspects a method as its declaring class declares it.
	 * @param method the annotated method
	 * @param kind the callback it handles
	 * @return the signature
	 * @throws IllegalArgumentException describing every parameter that cannot be supplied
	 */
	public static HandlerMethodSignature inspect(Method method, Kind kind) {
		return inspect(method, method.getDeclaringClass(), kind);
	}

	/**
	 * Inspects a method as the handler's class sees it: a parameter declared with a type variable
	 * (a method of a generic base class) has the type the handler's class binds it to, as when the
	 * method is invoked.
	 * @param method the annotated method
	 * @param handlerClass the handler bean's class
	 * @param kind the callback it handles
	 * @return the signature
	 * @throws IllegalArgumentException describing every parameter that cannot be supplied
	 */
	public static HandlerMethodSignature inspect(Method method, Class<?> handlerClass, Kind kind) {
		List<String> errors = new ArrayList<>();
		Class<?> payloadType = null;
		List<String> metadataNames = new ArrayList<>();
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i).withContainingClass(handlerClass);
			Class<?> type = parameter.getParameterType();
			String name = "parameter " + i + " (" + type.getSimpleName() + ")";
			Metadata metadata = parameter.getParameterAnnotation(Metadata.class);
			if (metadata != null) {
				metadataNames.add(metadata.value());
				if (type != String.class && type != byte[].class) {
					errors.add(name + ": @Metadata parameters must be String or byte[]");
				}
			}
			else if (parameter.hasParameterAnnotation(Flags.class)) {
				if (kind != Kind.RX || (type != int.class && type != Integer.class)) {
					errors.add(name + ": @Flags is an int parameter of @OnRx methods");
				}
			}
			else if (parameter.hasParameterAnnotation(Header.class)) {
				String header = unsuppliedHeader(parameter.getParameterAnnotation(Header.class), kind);
				if (header != null) {
					errors.add(name + ": " + kind.annotationName() + " methods get no header '" + header
							+ "'; they get " + kind.headers());
				}
			}
			else if (Message.class.isAssignableFrom(type)) {
				Class<?> payload = ResolvableType.forMethodParameter(parameter)
					.as(Message.class)
					.getGeneric(0)
					.resolve();
				// spring-messaging converts the message's bytes to another payload type, and refuses the
				// empty payload of every state and tx callback (and of http's final EOM chunk).
				if (payload != null && payload != Object.class && payload != byte[].class) {
					errors.add(name + ": Message<" + payload.getSimpleName() + ">, but the message carries the "
							+ "callback's bytes, empty but for @OnRx; declare Message<?> or Message<byte[]>"
							+ ((kind == Kind.RX) ? " and take the payload as a parameter of its own" : ""));
				}
			}
			else if (parameter.hasParameterAnnotation(Headers.class) || type == SecureStream.class
					|| type == StreamState.class) {
				continue;
			}
			else if (type == TxSlot.class) {
				if (kind != Kind.TX) {
					errors.add(name + ": a TxSlot is only given to @OnTx methods");
				}
			}
			else if (kind != Kind.RX) {
				errors.add(name + ": " + kind.annotationName() + " methods get no payload; allowed are SecureStream, "
						+ "StreamState, " + ((kind == Kind.TX) ? "TxSlot, " : "@Header(SecureStreamHeaders.ACK) long, ")
						+ "@Metadata String and Message<?>");
			}
			else if (payloadType != null) {
				errors.add(name + ": only one payload parameter is allowed");
			}
			else {
				payloadType = type;
			}
		}
		Class<?> returnType = method.getReturnType();
		if (returnType != void.class && returnType != StreamResult.class) {
			errors.add("return type " + returnType.getSimpleName() + ": must be StreamResult or void");
		}
		if (!errors.isEmpty()) {
			throw new IllegalArgumentException(String.join("; ", errors));
		}
		return new HandlerMethodSignature(kind, payloadType, metadataNames);
	}

	/**
	 * Returns the name of a required {@code @Header} that the callback never supplies, or
	 * {@code null}: spring-messaging would fail every invocation of the method with a missing
	 * header, which would disconnect the stream at each callback instead of failing start-up.
	 */
	private static @Nullable String unsuppliedHeader(@Nullable Header header, Kind kind) {
		if (header == null || !header.required() || !ValueConstants.DEFAULT_NONE.equals(header.defaultValue())) {
			return null;
		}
		String name = StringUtils.hasText(header.name()) ? header.name() : header.value();
		if (!StringUtils.hasText(name) || name.contains("${") || kind.headers().contains(name)
				|| MessageHeaders.ID.equals(name) || MessageHeaders.TIMESTAMP.equals(name)) {
			return null;
		}
		return name;
	}

	/** The callback a method handles. */
	public enum Kind {

		/** {@link OnState}. */
		STATE(OnState.class, SecureStreamHeaders.ACK),

		/** {@link OnRx}. */
		RX(OnRx.class, SecureStreamHeaders.FLAGS),

		/** {@link OnTx}. */
		TX(OnTx.class, SecureStreamHeaders.TX_SLOT);

		private final Class<? extends Annotation> annotation;

		private final List<String> headers;

		Kind(Class<? extends Annotation> annotation, String header) {
			this.annotation = annotation;
			this.headers = List.of(SecureStreamHeaders.STREAM, SecureStreamHeaders.STREAM_TYPE,
					SecureStreamHeaders.STREAM_ID, SecureStreamHeaders.STATE, header);
		}

		/**
		 * Returns the names of the headers the callback's messages carry (besides the standard
		 * {@code id} and {@code timestamp}).
		 * @return the header names
		 */
		List<String> headers() {
			return this.headers;
		}

		/**
		 * Returns the annotation that marks methods of this kind.
		 * @return the annotation type
		 */
		public Class<? extends Annotation> annotation() {
			return this.annotation;
		}

		String annotationName() {
			return "@" + this.annotation.getSimpleName();
		}

	}

}
