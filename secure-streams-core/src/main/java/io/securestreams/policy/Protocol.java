package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * The wire protocol a streamtype uses, named in the policy by {@code "protocol"}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum Protocol {

	/** HTTP/1.1. */
	H1("h1"),

	/** HTTP/2. */
	H2("h2"),

	/** HTTP/3 (accepted by the parser; the runtime reports it as unsupported). */
	H3("h3"),

	/** WebSocket over HTTP/1.1. */
	WS("ws"),

	/** MQTT 3.1.1. */
	MQTT("mqtt"),

	/** A plain or TLS byte stream without framing. */
	RAW("raw");

	// values() clones its array on every call, and every streamtype looks its protocol up.
	private static final Protocol[] VALUES = values();

	private final String jsonName;

	Protocol(String jsonName) {
		this.jsonName = jsonName;
	}

	/**
	 * Returns the name used in policy JSON.
	 * @return the JSON name, for example {@code h1}
	 */
	public String jsonName() {
		return this.jsonName;
	}

	/**
	 * Looks a protocol up by its policy name.
	 * @param jsonName the name, for example {@code ws}
	 * @return the protocol, or {@code null} when the name is unknown
	 */
	public static @Nullable Protocol fromJsonName(String jsonName) {
		for (Protocol protocol : VALUES) {
			if (protocol.jsonName.equals(jsonName)) {
				return protocol;
			}
		}
		return null;
	}

}
