package io.securestreams.proxy.wire;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * The messages a proxy sends to a proxied client (reference §7.4).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ToClient {

	private ToClient() {
	}

	/**
	 * RX_PAYLOAD (0x55): payload received by the onward stream.
	 *
	 * @param flags the {@code LWSSS_FLAG_*} flags
	 * @param latencyUs informational latency (the proxy sends 0)
	 * @param proxyTimeUs the proxy's monotonic time in microseconds
	 * @param rideshare the rideshare streamtype when {@code flags} has RIDESHARE, else {@code null}
	 * @param payload the payload, owned by this message
	 */
	public record RxPayload(int flags, long latencyUs, long proxyTimeUs, @Nullable String rideshare, ByteBuf payload)
			implements PayloadMessage {

		@Override
		public FrameType type() {
			return FrameType.RX_PAYLOAD;
		}

		@Override
		public int bodyLength() {
			int name = (this.rideshare != null) ? 1 + SsWire.utf8(this.rideshare).length : 0;
			return FIXED_HEADER + name + this.payload.readableBytes();
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeInt(this.flags).writeInt((int) this.latencyUs).writeLong(this.proxyTimeUs);
			if (this.rideshare != null) {
				byte[] name = SsWire.utf8(this.rideshare);
				out.writeByte(name.length).writeBytes(name);
			}
		}

	}

	/**
	 * CREATE_RESULT (0x56), as libwebsockets' proxy really sends it: result, the client buffer
	 * size, and the streamtype list, which starts with a comma.
	 *
	 * @param result 0 for success
	 * @param clientBuflen the policy's {@code client_buflen} (0 means the client's default)
	 * @param streamTypes {@code ",streamtype[,rideshare...]"}, empty on failure
	 */
	public record CreateResult(int result, long clientBuflen, String streamTypes) implements SsMessage {

		/** The failure frame: exactly {@code 56 00 05 01 00 00 00 00}. */
		public static final CreateResult FAILED = new CreateResult(1, 0, "");

		/**
		 * The success frame for a streamtype and its rideshare chain.
		 * @param clientBuflen the policy's {@code client_buflen}
		 * @param chain the streamtype followed by its rideshares
		 * @return the message
		 */
		public static CreateResult ok(long clientBuflen, List<String> chain) {
			return new CreateResult(0, clientBuflen, "," + String.join(",", chain));
		}

		/**
		 * Returns the names of the streamtype list, without the leading empty entry.
		 * @return the streamtype and its rideshares
		 */
		public List<String> names() {
			List<String> names = new ArrayList<>(List.of(this.streamTypes.split(",", -1)));
			if (!names.isEmpty() && names.get(0).isEmpty()) {
				names.remove(0);
			}
			return names;
		}

		@Override
		public FrameType type() {
			return FrameType.CREATE_RESULT;
		}

		@Override
		public int bodyLength() {
			return 5 + SsWire.utf8(this.streamTypes).length;
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeByte(this.result).writeInt((int) this.clientBuflen).writeBytes(SsWire.utf8(this.streamTypes));
		}

	}

	/**
	 * CONNSTATE (0x57): a state of the onward stream; the state takes one byte below 256, else
	 * four.
	 *
	 * @param state the {@code lws_ss_constate_t} value
	 * @param ordinal the state callback's {@code ack} argument
	 */
	public record ConnState(int state, long ordinal) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.CONNSTATE;
		}

		@Override
		public int bodyLength() {
			return (this.state < 256) ? 5 : 8;
		}

		@Override
		public void writeBody(ByteBuf out) {
			if (this.state < 256) {
				out.writeByte(this.state);
			}
			else {
				out.writeInt(this.state);
			}
			out.writeInt((int) this.ordinal);
		}

	}

	/**
	 * RX_TXCR_UPDATE (0x58): the remote peer granted more tx credit.
	 *
	 * @param delta the credit added
	 */
	public record RxCredit(int delta) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.RX_TXCR_UPDATE;
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
	 * RX_METADATA (0x59): a metadata value captured at the proxy, such as a response header.
	 *
	 * @param name the metadata name
	 * @param value the value
	 */
	public record RxMetadata(String name, byte[] value) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.RX_METADATA;
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
	 * PERF (0x5b): connection performance JSON.
	 *
	 * @param json the JSON, not empty
	 */
	public record Perf(byte[] json) implements SsMessage {

		@Override
		public FrameType type() {
			return FrameType.PERF;
		}

		@Override
		public int bodyLength() {
			return this.json.length;
		}

		@Override
		public void writeBody(ByteBuf out) {
			out.writeBytes(this.json);
		}

	}

}
