package io.securestreams.boot.handler;

/**
 * Names of the message headers a handler method can read with {@code @Header}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamHeaders {

	/** The {@code SecureStream} the callback is for. */
	public static final String STREAM = "securestreams_stream";

	/** The streamtype name. */
	public static final String STREAM_TYPE = "securestreams_streamType";

	/** The stream's id ({@code long}). */
	public static final String STREAM_ID = "securestreams_streamId";

	/** The {@code StreamState} reported, or the stream's current state for rx and tx. */
	public static final String STATE = "securestreams_state";

	/** The state callback's {@code ack} argument ({@code long}). */
	public static final String ACK = "securestreams_ack";

	/** The rx payload's {@code StreamFlags} ({@code int}). */
	public static final String FLAGS = "securestreams_flags";

	/** The {@code TxSlot} of a tx callback. */
	public static final String TX_SLOT = "securestreams_txSlot";

	private SecureStreamHeaders() {
	}

}
