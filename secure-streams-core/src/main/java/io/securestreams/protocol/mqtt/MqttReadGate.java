package io.securestreams.protocol.mqtt;

import java.util.ArrayDeque;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * Stops the packets of a broker connection at the moment its reading is paused (auto-read off,
 * a proxy's rx flow control): the decoder hands on every packet of a socket read, up to 64 KiB
 * of small messages, even after a stream paused on the first of them, and that overflowed the
 * proxy buffer the pause was meant to protect. The packets after the pause wait here, and go on
 * one at a time once reading resumes, the pause checked before each, so a pause taken again
 * while they go on holds the rest. Netty's {@code FlowControlHandler} hands on all it holds when
 * reading resumes, whatever happens meanwhile. What waits here is at most one read; it is
 * released when the connection closes (QoS 1 and 2 messages among it are not acknowledged, so
 * the broker sends them again). One instance per channel, used on its event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MqttReadGate extends ChannelDuplexHandler {

	private final ArrayDeque<Object> held = new ArrayDeque<>();

	private boolean handingOn;

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		this.held.add(msg);
		handOn(ctx);
	}

	@Override
	public void read(ChannelHandlerContext ctx) {
		handOn(ctx);
		if (this.held.isEmpty()) {
			ctx.read();
		}
	}

	private void handOn(ChannelHandlerContext ctx) {
		if (this.handingOn) {
			// Reading resumed from a packet being handed on: the loop below goes on with the rest.
			return;
		}
		this.handingOn = true;
		try {
			Object next;
			while (ctx.channel().config().isAutoRead() && (next = this.held.poll()) != null) {
				ctx.fireChannelRead(next);
			}
		}
		finally {
			this.handingOn = false;
		}
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		Object next;
		while ((next = this.held.poll()) != null) {
			ReferenceCountUtil.release(next);
		}
	}

}
