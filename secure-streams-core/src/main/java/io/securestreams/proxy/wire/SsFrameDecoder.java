package io.securestreams.proxy.wire;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.jspecify.annotations.Nullable;

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

	private @Nullable String unfinished;

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

	@Override
	protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		decode(ctx, in, out);
		if (in.isReadable()) {
			// The link closed in the middle of a frame: its bytes are dropped, and described for the
			// log line of the close.
			int start = in.readerIndex();
			this.unfinished = (in.readableBytes() < SsWire.FRAME_HEADER)
					? in.readableBytes() + " of the " + SsWire.FRAME_HEADER + " bytes of a frame header"
					: String.format("%d of %d body bytes of a %s frame", in.readableBytes() - SsWire.FRAME_HEADER,
							in.getUnsignedShort(start + 1), FrameType.of(in.getUnsignedByte(start)));
			in.skipBytes(in.readableBytes());
		}
	}

	/**
	 * Returns what was left of a frame when the link closed in its middle; the frame was dropped.
	 * @return a description such as {@code "20 of 1016 body bytes of a RX_PAYLOAD frame"}, or
	 * {@code null} when the link closed between frames (or after a protocol error)
	 */
	public @Nullable String unfinishedFrame() {
		return this.unfinished;
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
