package io.securestreams.server;

import java.util.ArrayDeque;
import java.util.Queue;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.tls.HandshakeFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells an accepted stream when its transport is ready: at once for a plain socket, after the
 * TLS handshake otherwise (a failed handshake is logged; the TLS handler closes the channel).
 * Whatever arrives before that (TLS can decode the peer's first bytes before it reports the
 * handshake complete) is held back and passed on once the binding has started. Removes itself
 * afterwards.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class TransportReady extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(TransportReady.class);

	private final AcceptedStream stream;

	private final boolean tls;

	private final Queue<Object> early = new ArrayDeque<>();

	private boolean ready;

	TransportReady(AcceptedStream stream, boolean tls) {
		this.stream = stream;
		this.tls = tls;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		ctx.fireChannelActive();
		if (!this.tls) {
			ready(ctx);
		}
		else if (!ctx.channel().config().isAutoRead()) {
			ctx.read();
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
		if (event instanceof SslHandshakeCompletionEvent completion && !this.ready) {
			if (completion.isSuccess()) {
				ready(ctx);
			}
			else {
				HandshakeFailures.log(logger, this.stream.describe(), completion.cause());
			}
		}
		ctx.fireUserEventTriggered(event);
	}

	private void ready(ChannelHandlerContext ctx) {
		this.ready = true;
		this.stream.transportReady();
		Object msg;
		while ((msg = this.early.poll()) != null) {
			ctx.fireChannelRead(msg);
		}
		if (ctx.channel().isActive()) {
			ctx.fireChannelReadComplete();
		}
		ctx.pipeline().remove(this);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (this.ready) {
			ctx.fireChannelRead(msg);
		}
		else {
			this.early.add(msg);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		if (this.ready) {
			ctx.fireChannelReadComplete();
		}
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		Object msg;
		while ((msg = this.early.poll()) != null) {
			ReferenceCountUtil.release(msg);
		}
	}

}
