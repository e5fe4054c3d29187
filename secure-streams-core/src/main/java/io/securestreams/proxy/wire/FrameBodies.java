package io.securestreams.proxy.wire;

import io.netty.buffer.ByteBuf;

/**
 * Length rules and body parsers of every frame type, as libwebsockets' deserializers apply them.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class FrameBodies {

	private FrameBodies() {
	}

	/**
	 * Checks what can be checked from the frame header alone.
	 * @param type the frame type
	 * @param length the body length
	 * @throws WireException for a length the type never has
	 */
	static void checkLength(FrameType type, int length) {
		boolean ok = switch (type) {
			case ONWARD_CONNECT, DESTROYING -> length == 0;
			case TX_TXCR_UPDATE, RX_TXCR_UPDATE, TIMEOUT_UPDATE, PAYLOAD_LENGTH_HINT -> length == 4;
			case STREAMTYPE -> length >= 9 && length <= 9 + SsWire.MAX_STREAMTYPE_NAME;
			case TX_PAYLOAD, RX_PAYLOAD -> length >= PayloadMessage.FIXED_HEADER;
			case TX_METADATA, RX_METADATA -> length >= SsWire.MIN_METADATA_BODY;
			// A refusal may be its result byte alone; a success's client_buflen is checked in read().
			case CREATE_RESULT -> length >= 1;
			case CONNSTATE -> length >= 5 && length <= 8;
			case PERF -> length >= 1;
			default -> false;
		};
		if (!ok) {
			String detail = (type == FrameType.STREAMTYPE && length > 9 + SsWire.MAX_STREAMTYPE_NAME)
					? " (streamtype name of " + (length - 9) + " bytes, at most " + SsWire.MAX_STREAMTYPE_NAME
							+ " allowed)"
					: "";
			throw new WireException("bad length " + length + " for a " + type + " frame" + detail);
		}
	}

	/**
	 * Parses a body whose length passed {@link #checkLength}.
	 * @param type the frame type
	 * @param body the body, a slice of the cumulation
	 * @param length its length
	 * @return the message; payload messages hold a retained slice of {@code body}
	 * @throws WireException for a malformed body
	 */
	static SsMessage read(FrameType type, ByteBuf body, int length) {
		return switch (type) {
			case STREAMTYPE -> new ToProxy.StreamType(body.readUnsignedByte(), body.readUnsignedInt(), body.readInt(),
					SsWire.ascii(body, length - 9));
			case ONWARD_CONNECT -> new ToProxy.OnwardConnect();
			case DESTROYING -> new ToProxy.Destroying();
			case TX_PAYLOAD -> new ToProxy.TxPayload(body.readInt(), body.readUnsignedInt(), body.readLong(),
					body.readRetainedSlice(length - PayloadMessage.FIXED_HEADER));
			case TX_METADATA -> {
				String name = metadataName(type, body, length);
				yield new ToProxy.TxMetadata(name, SsWire.bytes(body, body.readableBytes()));
			}
			case TX_TXCR_UPDATE -> new ToProxy.TxCredit(body.readInt());
			case TIMEOUT_UPDATE -> new ToProxy.TimeoutUpdate(body.readUnsignedInt());
			case PAYLOAD_LENGTH_HINT -> new ToProxy.PayloadLengthHint(body.readUnsignedInt());
			case RX_PAYLOAD -> rxPayload(body, length);
			case CREATE_RESULT -> createResult(body, length);
			case CONNSTATE -> {
				int state = 0;
				for (int i = 0; i < length - 4; i++) {
					state = (state << 8) | body.readUnsignedByte();
				}
				yield new ToClient.ConnState(state, body.readUnsignedInt());
			}
			case RX_TXCR_UPDATE -> new ToClient.RxCredit(body.readInt());
			case RX_METADATA -> {
				String name = metadataName(type, body, length);
				yield new ToClient.RxMetadata(name, SsWire.bytes(body, body.readableBytes()));
			}
			case PERF -> new ToClient.Perf(SsWire.bytes(body, length));
			default -> throw new WireException("reserved frame type " + type + " is not supported");
		};
	}

	private static String metadataName(FrameType type, ByteBuf body, int length) {
		int nameLength = body.readUnsignedByte();
		if (nameLength == 0 || nameLength > SsWire.MAX_METADATA_NAME) {
			throw new WireException("metadata name of " + nameLength + " bytes in a " + type + " frame (1 to "
					+ SsWire.MAX_METADATA_NAME + " allowed)");
		}
		if (nameLength > length - 1) {
			throw new WireException("metadata name of " + nameLength + " bytes overruns a " + type + " frame of "
					+ length + " bytes");
		}
		return SsWire.ascii(body, nameLength);
	}

	/**
	 * Reads CREATE_RESULT as libwebsockets' client does: a refusal is its result byte, whatever
	 * follows (the serialization header describes a 3-byte frame, older proxies sent 1 byte), so
	 * it is counted and logged as a refusal rather than as a protocol error.
	 */
	private static SsMessage createResult(ByteBuf body, int length) {
		int result = body.readUnsignedByte();
		if (result != 0) {
			body.skipBytes(length - 1);
			return new ToClient.CreateResult(result, 0, "");
		}
		if (length < 5) {
			throw new WireException("bad length " + length + " for a CREATE_RESULT frame (a success has a result "
					+ "byte and a 4-byte client_buflen)");
		}
		return new ToClient.CreateResult(result, body.readUnsignedInt(), SsWire.ascii(body, length - 5));
	}

	private static SsMessage rxPayload(ByteBuf body, int length) {
		int flags = body.readInt();
		long latency = body.readUnsignedInt();
		long time = body.readLong();
		String rideshare = null;
		if ((flags & 0x20) != 0) {
			if (!body.isReadable()) {
				throw new WireException("RX_PAYLOAD with the RIDESHARE flag has no rideshare name");
			}
			int nameLength = body.readUnsignedByte();
			if (nameLength > body.readableBytes()) {
				throw new WireException("rideshare name of " + nameLength + " bytes overruns an RX_PAYLOAD frame of "
						+ length + " bytes");
			}
			rideshare = SsWire.ascii(body, nameLength);
		}
		return new ToClient.RxPayload(flags, latency, time, rideshare, body.readRetainedSlice(body.readableBytes()));
	}

}
