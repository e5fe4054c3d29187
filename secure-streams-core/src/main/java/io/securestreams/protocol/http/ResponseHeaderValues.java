package io.securestreams.protocol.http;

import java.util.List;

import io.netty.handler.codec.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Reads a response header as one value for the metadata mapped to it. A field the server repeats
 * is joined as http defines it, as a {@code direct_proto_str} read gives it and as libwebsockets'
 * {@code lws_hdr_copy} joins it: taking the first would lose the rest.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ResponseHeaderValues {

	private ResponseHeaderValues() {
	}

	/**
	 * Returns every value of a header, joined with {@code ", "}.
	 * @param headers the response headers
	 * @param name the header name
	 * @return the value, or {@code null} when the header is absent
	 */
	public static @Nullable String joined(HttpHeaders headers, CharSequence name) {
		List<String> values = headers.getAll(name);
		return switch (values.size()) {
			case 0 -> null;
			case 1 -> values.get(0);
			default -> String.join(", ", values);
		};
	}

}
