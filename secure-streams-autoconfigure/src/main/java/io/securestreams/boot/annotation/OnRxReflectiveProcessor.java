package io.securestreams.boot.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Type;

import io.securestreams.boot.handler.HandlerMethodSignature;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.SimpleReflectiveProcessor;
import org.springframework.core.MethodParameter;

/**
 * Registers what a native image needs to call an {@link OnRx} method: the method itself, as for
 * {@link OnState} and {@link OnTx}, and the binding of its payload parameter when the message
 * converters map the payload from JSON (any payload type but {@code byte[]}, {@code String} and
 * {@code ByteBuffer}), which reads and writes that type by reflection.
 *
 * @author Secure Streams contributors
 */
final class OnRxReflectiveProcessor extends SimpleReflectiveProcessor {

	private final BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();

	@Override
	protected void registerMethodHint(ReflectionHints hints, Method method) {
		super.registerMethodHint(hints, method);
		Type payload = convertedPayload(method);
		if (payload != null) {
			this.bindings.registerReflectionHints(hints, payload);
		}
	}

	static @Nullable Type convertedPayload(Method method) {
		HandlerMethodSignature signature;
		try {
			signature = HandlerMethodSignature.inspect(method, HandlerMethodSignature.Kind.RX);
		}
		catch (IllegalArgumentException ex) {
			return null; // the application fails to start with that message; nothing to call
		}
		Class<?> type = signature.payloadType();
		// Mapped from whole messages by the converters; raw payloads need nothing.
		if (type == null || !signature.wholeMessages()) {
			return null;
		}
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			if (parameter.getParameterType() == type && !parameter.hasParameterAnnotations()) {
				return parameter.getGenericParameterType();
			}
		}
		return type;
	}

}
