package io.securestreams.proxy.wire;

import org.jspecify.annotations.Nullable;

/**
 * The frame types of the Secure Streams serialization protocol, with their wire codes and the
 * direction they travel in ({@code lws_ss_serialization} in libwebsockets).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum FrameType {

	/** Proxy to client: received payload. */
	RX_PAYLOAD(0x55, false),

	/** Proxy to client: the result of creating the onward stream. */
	CREATE_RESULT(0x56, false),

	/** Proxy to client: a state of the onward stream. */
	CONNSTATE(0x57, false),

	/** Proxy to client: the remote peer granted more tx credit. */
	RX_TXCR_UPDATE(0x58, false),

	/** Proxy to client: a metadata value captured at the proxy (a response header). */
	RX_METADATA(0x59, false),

	/** Proxy to client: reserved (TLS enclave signing), never handled. */
	TLSNEG_ENCLAVE_SIGN(0x5a, false),

	/** Proxy to client: connection performance JSON. */
	PERF(0x5b, false),

	/** Client to proxy: the first frame, naming the streamtype. */
	STREAMTYPE(0xaa, true),

	/** Client to proxy: connect the onward stream. */
	ONWARD_CONNECT(0xab, true),

	/** Client to proxy: the client is going away. */
	DESTROYING(0xac, true),

	/** Client to proxy: payload to send onward. */
	TX_PAYLOAD(0xad, true),

	/** Client to proxy: a metadata value for the onward stream. */
	TX_METADATA(0xae, true),

	/** Client to proxy: the client granted the remote peer more credit. */
	TX_TXCR_UPDATE(0xaf, true),

	/** Client to proxy: start, restart or cancel the onward stream's timer. */
	TIMEOUT_UPDATE(0xb0, true),

	/** Client to proxy: the length of the payload to come. */
	PAYLOAD_LENGTH_HINT(0xb1, true),

	/** Client to proxy: reserved (TLS enclave signing), never handled. */
	TLSNEG_ENCLAVE_SIGNED(0xb2, true),

	/** Client to proxy: reserved (link validity probe), never handled. */
	LINK_VALIDITY_PROBE(0xb3, true);

	private static final @Nullable FrameType[] BY_CODE = new FrameType[256];

	static {
		for (FrameType type : values()) {
			BY_CODE[type.code] = type;
		}
	}

	private final int code;

	private final boolean toProxy;

	FrameType(int code, boolean toProxy) {
		this.code = code;
		this.toProxy = toProxy;
	}

	/**
	 * Returns the type byte.
	 * @return the code, 0..255
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Returns whether the client sends this type to the proxy.
	 * @return {@code true} for client to proxy, {@code false} for proxy to client
	 */
	public boolean toProxy() {
		return this.toProxy;
	}

	/**
	 * Returns whether the type is reserved and never handled by either side.
	 * @return {@code true} for the TLS enclave and link validity types
	 */
	public boolean reserved() {
		return this == TLSNEG_ENCLAVE_SIGN || this == TLSNEG_ENCLAVE_SIGNED || this == LINK_VALIDITY_PROBE;
	}

	/**
	 * Looks a type byte up.
	 * @param code the type byte, 0..255
	 * @return the type, or {@code null} for an unknown code
	 */
	public static @Nullable FrameType of(int code) {
		return (code >= 0 && code < 256) ? BY_CODE[code] : null;
	}

}
