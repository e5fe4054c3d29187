package io.securestreams.connectivity;

import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Recognises libwebsockets' system messages that ask for a captive portal detection (reference
 * §9.2): a {@link SmdClass#NETWORK} message whose JSON object says {@code "type":"ipacq"} (the
 * device acquired an IP address) or {@code "trigger":"cpdcheck"}. Anything else, JSON or not, is
 * not a request.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class DetectionRequest {

	private static final ObjectMapper json = JsonMapper.builder().build();

	private DetectionRequest() {
	}

	static boolean isRequest(SmdMessage message) {
		if ((message.smdClass() & SmdClass.NETWORK) == 0) {
			return false;
		}
		JsonNode document;
		try {
			document = json.readTree(message.payload());
		}
		catch (JacksonException ex) {
			return false;
		}
		return document != null && document.isObject()
				&& ("ipacq".equals(text(document, "type")) || "cpdcheck".equals(text(document, "trigger")));
	}

	private static String text(JsonNode document, String field) {
		JsonNode value = document.get(field);
		return (value != null && value.isString()) ? value.asString() : null;
	}

}
