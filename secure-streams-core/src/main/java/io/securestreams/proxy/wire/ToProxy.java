package io.securestreams.proxy.wire;

import io.netty.buffer.ByteBuf;

/**
 * The messages a proxied client sends to the proxy (reference §7.3).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ToProxy {

	private ToProxy() {
	}

	/**
	 * STREAMTYPE (0xaa), the first frame of a link.
	 *
	 * @param protocolVersion the protocol version, 1
	 * @param clientPid the client's process id
	 * @param initialTxCredit the credit the client grants the remote peer (500000000 by default)
	 * @param streamType the streamtype name
	 */
	public record StreamType(int protocolVersion, long clientPid, int initialTxCredit, String streamType)
			implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.STREAMTYPE;
		}

		@Override
		public int bodyLength() {
			return 9 + SsWire.utf8(this.streamType).length;
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeByte(this.protocolVersion).writeInt((int) this.clientPid).writeInt(this.initialTxCredit)
				.writeBytes(SsWire.utf8(this.streamType));
		}

	}

	/** ONWARD_CONNECT (0xab): connect the onward stream. */
	public record OnwardConnect() implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.ONWARD_CONNECT;
		}

		@Override
		public int bodyLength() {
			return 0;
		}

		@Override
		public void writeBody(ByteBuf out) {
		}

	}

	/** DESTROYING (0xac): the client is going away (libwebsockets' client never sends it). */
	public record Destroying() implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.DESTROYING;
		}

		@Override
		public int bodyLength() {
			return 0;
		}

		@Override
		public void writeBody(ByteBuf out) {
		}

	}

	/**
	 * TX_PAYLOAD (0xad): payload for the onward stream.
	 *
	 * @param flags the {@code LWSSS_FLAG_*} flags from the application's tx
	 * @param clientWaitUs informational client wait time
	 * @param clientWriteTimeUs informational client monotonic time in microseconds
	 * @param payload the payload, owned by this message
	 */
	public record TxPayload(int flags, long clientWaitUs, long clientWriteTimeUs, ByteBuf payload)
			implements PayloadMessage {

		@Override
		public FrameType type() {
			return FrameType.TX_PAYLOAD;
		}

		@Override
		public int bodyLength() {
			return FIXED_HEADER + this.payload.readableBytes();
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeInt(this.flags).writeInt((int) this.clientWaitUs).writeLong(this.clientWriteTimeUs);
		}

	}

	/**
	 * TX_METADATA (0xae): a metadata value for the onward stream.
	 *
	 * @param name the metadata name, 1 to 30 bytes
	 * @param value the value
	 */
	public record TxMetadata(String name, byte[] value) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.TX_METADATA;
		}

		@Override
		public int bodyLength() {
			return 1 + SsWire.utf8(this.name).length + this.value.length;
		}

		@Override
		public void writeBody(ByteBuf out) {
			byte[] nameBytes = SsWire.utf8(this.name);
			out.writeByte(nameBytes.length).writeBytes(nameBytes).writeBytes(this.value);
		}

	}

	/**
	 * TX_TXCR_UPDATE (0xaf): the client granted the remote peer more credit.
	 *
	 * @param delta the credit added
	 */
	public record TxCredit(int delta) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.TX_TXCR_UPDATE;
		}

		@Override
		public int bodyLength() {
			return 4;
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeInt(this.delta);
		}

	}

	/**
	 * TIMEOUT_UPDATE (0xb0): 0 starts the policy's {@code timeout_ms}, {@link SsWire#TIMEOUT_CANCEL}
	 * cancels, anything else starts a timer of that many milliseconds.
	 *
	 * @param millis the u32 value
	 */
	public record TimeoutUpdate(long millis) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.TIMEOUT_UPDATE;
		}

		@Override
		public int bodyLength() {
			return 4;
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeInt((int) this.millis);
		}

	}

	/**
	 * PAYLOAD_LENGTH_HINT (0xb1): the length of the message to come ({@code requestTxLen}).
	 *
	 * @param length the u32 length
	 */
	public record PayloadLengthHint(long length) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.PAYLOAD_LENGTH_HINT;
		}

		@Override
		public int bodyLength() {
			return 4;
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeInt((int) this.length);
		}

	}

}
