package io.securestreams.policy.json;

import java.util.List;
import java.util.Objects;

import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.ServerOption;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import tools.jackson.core.JsonGenerator;

/**
 * Writes one streamtype object: keys in {@link StreamTypeKey} order, only values that differ
 * from the key's default, structured values as arrays of single-key objects.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class StreamTypeJsonWriter {

	private StreamTypeJsonWriter() {
	}

	static void write(JsonGenerator json, StreamTypePolicy streamType) {
		json.writeStartObject();
		for (StreamTypeKey key : StreamTypeKey.values()) {
			Object value = key.get(streamType);
			if (value == null || Objects.equals(value, key.defaultValue())) {
				continue;
			}
			json.writeName(key.jsonName());
			writeValue(json, key, value);
		}
		json.writeEndObject();
	}

	@SuppressWarnings("unchecked")
	private static void writeValue(JsonGenerator json, StreamTypeKey key, Object value) {
		switch (key.type()) {
			case BOOLEAN -> json.writeBoolean((Boolean) value);
			case INTEGER, LONG -> json.writeNumber(((Number) value).longValue());
			case PROTOCOL -> json.writeString(((Protocol) value).jsonName());
			case METADATA -> {
				json.writeStartArray();
				for (MetadataDeclaration declaration : (List<MetadataDeclaration>) value) {
					json.writeStartObject();
					json.writeStringProperty(declaration.name(), declaration.mapping());
					json.writeEndObject();
				}
				json.writeEndArray();
			}
			case RESPONSE_MAP -> {
				json.writeStartArray();
				for (HttpResponseMapping mapping : (List<HttpResponseMapping>) value) {
					json.writeStartObject();
					json.writeNumberProperty(Integer.toString(mapping.status()), mapping.state());
					json.writeEndObject();
				}
				json.writeEndArray();
			}
			case OPTIONS -> {
				json.writeStartArray();
				for (ServerOption option : (List<ServerOption>) value) {
					json.writeStartObject();
					json.writeStringProperty(option.name(), option.value());
					json.writeEndObject();
				}
				json.writeEndArray();
			}
			case STRING, HTTP_TOKEN, HTTP_TOKEN_LIST, HEADER_NAME, HOST_PORT -> json.writeString((String) value);
		}
	}

}
