package io.securestreams.boot.handler;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.annotation.support.PayloadMethodArgumentResolver;

/**
 * Resolves the payload parameter: {@code byte[]}, {@code String} and {@code ByteBuffer}
 * directly, including empty chunks (an http transaction's final {@code EOM}), and any other type
 * through the message converters (JSON).
 *
 * @author Secure Streams contributors
 */
final class StreamPayloadArgumentResolver extends PayloadMethodArgumentResolver {

	StreamPayloadArgumentResolver(MessageConverter converter) {
		super(converter, null, true);
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) throws Exception {
		Class<?> type = parameter.getParameterType();
		if (message.getPayload() instanceof byte[] bytes) {
			if (type == byte[].class) {
				return bytes;
			}
			if (type == ByteBuffer.class) {
				return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
			}
			if (type == String.class) {
				return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
			}
		}
		return super.resolveArgument(parameter, message);
	}

	/**
	 * Returns whether a payload type is taken chunk by chunk rather than mapped from a whole
	 * message.
	 * @param type the parameter type
	 * @return {@code true} for {@code byte[]}, {@code String} and {@code ByteBuffer}
	 */
	static boolean isRaw(Class<?> type) {
		return type == byte[].class || type == String.class || type == ByteBuffer.class;
	}

}
