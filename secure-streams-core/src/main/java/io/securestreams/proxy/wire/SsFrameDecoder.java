package io.securestreams.proxy.wire;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Decodes the frames arriving from one side into {@link SsMessage}s. Frames may be split across
 * reads or coalesced. A frame that breaks the protocol (an unknown or reserved type, a type that
 * travels the other way, a bad length) raises a {@link WireException} as soon as its header is
 * read, and everything after it is discarded: the receiver is expected to hang up.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SsFrameDecoder extends ByteToMessageDecoder {

	private final boolean fromClient;

	private boolean failed;

	/**
	 * Creates a decoder.
	 * @param fromClient {@code true} on the proxy (decodes client-to-proxy frames), {@code false}
	 * on the client
	 */
	public SsFrameDecoder(boolean fromClient) {
		this.fromClient = fromClient;
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		if (this.failed) {
			in.skipBytes(in.readableBytes());
			return;
		}
		while (in.readableBytes() >= SsWire.FRAME_HEADER) {
			int start = in.readerIndex();
			int code = in.getUnsignedByte(start);
			int length = in.getUnsignedShort(start + 1);
			FrameType type;
			try {
				type = checkHeader(code, length);
			}
			catch (WireException ex) {
				this.failed = true;
				in.skipBytes(in.readableBytes());
				throw ex;
			}
			if (in.readableBytes() < SsWire.FRAME_HEADER + length) {
				return;
			}
			in.skipBytes(SsWire.FRAME_HEADER);
			ByteBuf body = in.readSlice(length);
			try {
				out.add(FrameBodies.read(type, body, length));
			}
			catch (WireException ex) {
				this.failed = true;
				in.skipBytes(in.readableBytes());
				throw ex;
			}
		}
	}

	private FrameType checkHeader(int code, int length) {
		FrameType type = FrameType.of(code);
		String from = this.fromClient ? "client" : "proxy";
		if (type == null) {
			throw new WireException(String.format("unknown frame type 0x%02x from the %s", code, from));
		}
		if (type.toProxy() != this.fromClient) {
			throw new WireException(String.format("frame type %s (0x%02x) does not travel from the %s", type, code,
					from));
		}
		if (type.reserved()) {
			throw new WireException(String.format("reserved frame type %s (0x%02x) is not supported", type, code));
		}
		FrameBodies.checkLength(type, length);
		return type;
	}

}
