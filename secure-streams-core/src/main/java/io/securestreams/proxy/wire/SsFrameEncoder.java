package io.securestreams.proxy.wire;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

/**
 * Encodes {@link SsMessage}s into frames. The payload of a {@link PayloadMessage} is passed on
 * without copying, after a small header buffer; an {@link RxPayloadRun} is already encoded and
 * passes as it is.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Sharable
public final class SsFrameEncoder extends MessageToMessageEncoder<SsMessage> {

	/** The shared instance; the encoder has no state. */
	public static final SsFrameEncoder INSTANCE = new SsFrameEncoder();

	private SsFrameEncoder() {
	}

	@Override
	protected void encode(ChannelHandlerContext ctx, SsMessage message, List<Object> out) {
		if (message instanceof RxPayloadRun run) {
			out.add(run.frames().retain());
			return;
		}
		int payload = (message instanceof PayloadMessage carrying) ? carrying.payload().readableBytes() : 0;
		ByteBuf header = ctx.alloc().ioBuffer(SsWire.FRAME_HEADER + message.bodyLength() - payload);
		try {
			SsWire.writeHeader(header, message);
			message.writeBody(header);
		}
		catch (RuntimeException ex) {
			header.release();
			throw ex;
		}
		out.add(header);
		if (payload > 0) {
			out.add(((PayloadMessage) message).payload().retain());
		}
	}

}
