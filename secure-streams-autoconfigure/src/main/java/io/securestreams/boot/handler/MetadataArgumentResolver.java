package io.securestreams.boot.handler;

import io.securestreams.SecureStream;
import io.securestreams.boot.annotation.Metadata;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * Resolves {@link Metadata} parameters from the stream's metadata, as {@code String} or
 * {@code byte[]}.
 *
 * @author Secure Streams contributors
 */
final class MetadataArgumentResolver implements HandlerMethodArgumentResolver {

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(Metadata.class);
	}

	@Override
	public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
		Metadata metadata = parameter.getParameterAnnotation(Metadata.class);
		SecureStream stream = (SecureStream) message.getHeaders().get(SecureStreamHeaders.STREAM);
		if (metadata == null || stream == null) {
			return null;
		}
		return (parameter.getParameterType() == byte[].class) ? stream.metadataBytes(metadata.value())
				: stream.metadata(metadata.value());
	}

}
