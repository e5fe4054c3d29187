package io.securestreams.boot.handler;

import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;

/**
 * The spring-messaging handler method factory for Secure Streams handler methods: the standard
 * {@code @Header}, {@code @Headers} and {@code Message} arguments, plus {@code SecureStream},
 * {@code StreamState}, {@code TxSlot}, {@code @Flags}, {@code @Metadata} and payloads as
 * {@code byte[]}, {@code String}, {@code ByteBuffer} or JSON-mapped objects (Jackson 3).
 * <p>
 * Call {@link #afterPropertiesSet()} before use when not managed by Spring.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamMessageHandlerMethodFactory extends DefaultMessageHandlerMethodFactory {

	/**
	 * Creates a factory that maps JSON with a default {@link JsonMapper}. The annotation support
	 * uses the application's {@code JsonMapper} bean instead when there is one.
	 */
	public SecureStreamMessageHandlerMethodFactory() {
		this(JsonMapper.builder().build());
	}

	/**
	 * Creates a factory that maps JSON with the given mapper.
	 * @param jsonMapper the mapper for JSON payloads
	 */
	public SecureStreamMessageHandlerMethodFactory(JsonMapper jsonMapper) {
		MessageConverter converter = new CompositeMessageConverter(List.of(new ByteArrayMessageConverter(),
				new StringMessageConverter(), new JacksonJsonMessageConverter(jsonMapper)));
		setMessageConverter(converter);
		setCustomArgumentResolvers(List.of(new StreamContextArgumentResolver(), new MetadataArgumentResolver(),
				new StreamPayloadArgumentResolver(converter)));
	}

}
