package io.securestreams.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.socksx.v5.Socks5Message;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits between Netty's SOCKS5 reply decoders and the {@link Socks5ProxyHandler} and turns a reply
 * that could not be decoded into the exception that says why. The proxy handler does not look at
 * the decoder's result: it reads the placeholder reply a failed decode leaves (method 0xFF, status
 * 1) as the proxy's own answer, so a proxy that speaks another protocol (an http proxy answering
 * {@code HTTP/1.1 400}), another SOCKS version, or an unknown address type was logged as
 * "unexpected authMethod: UNACCEPTED(255)" or "status: FAILURE(1)", which sends whoever reads the
 * log after the wrong problem. The proxy handler fails its connect with this exception instead.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class Socks5ReplyCheck extends ChannelInboundHandlerAdapter {

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof Socks5Message reply && reply.decoderResult().isFailure()) {
			DecoderResult result = reply.decoderResult();
			ReferenceCountUtil.release(msg);
			ctx.fireExceptionCaught(result.cause());
			return;
		}
		ctx.fireChannelRead(msg);
	}

}
