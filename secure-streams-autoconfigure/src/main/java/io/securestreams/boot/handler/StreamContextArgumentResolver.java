package io.securestreams.boot.handler;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.boot.annotation.Flags;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * Resolves {@code SecureStream}, {@code StreamState}, {@code TxSlot} and {@link Flags} parameters
 * from the callback message's headers.
 *
 * @author Secure Streams contributors
 */
final class StreamContextArgumentResolver implements HandlerMethodArgumentResolver {

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return headerFor(parameter) != null;
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		String header = headerFor(parameter);
		return (header != null) ? message.getHeaders().get(header) : null;
	}

	static @Nullable String headerFor(MethodParameter parameter) {
		Class<?> type = parameter.getParameterType();
		if (parameter.hasParameterAnnotation(Flags.class)) {
			return SecureStreamHeaders.FLAGS;
		}
		if (type == SecureStream.class) {
			return SecureStreamHeaders.STREAM;
		}
		if (type == StreamState.class) {
			return SecureStreamHeaders.STATE;
		}
		if (type == TxSlot.class) {
			return SecureStreamHeaders.TX_SLOT;
		}
		return null;
	}

}
