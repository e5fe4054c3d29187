package io.securestreams.protocol.h1;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ProxiedReads;
import io.securestreams.protocol.StreamLink;
import io.securestreams.tls.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an h1 client pipeline, after the http codec: feeds the pipeline's events
 * to the {@link H1Connection}, ignores events of a channel the connection has left behind (a
 * redirect moves it to a new one) and releases every message it reads.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1ChannelHandler extends ChannelInboundHandlerAdapter {

	// Logs under the connection's name, as before the connection was split into parts.
	private static final Logger logger = LoggerFactory.getLogger(H1Connection.class);

	/** Fewest bytes one read may take from the server for a proxy's onward stream. */
	static final int PROXIED_MIN_READ = ProxiedReads.MIN_READ;

	private final H1Connection connection;

	private final StreamLink link;

	// Whether the channel failed (a reset, a TLS error) or TLS ended without the peer's
	// close_notify: the codec's end of a body delimited by the connection's end, which it reports
	// when the channel then closes, is no end but a cut (RFC 9112 section 9.8).
	private boolean failed;

	private H1ChannelHandler(H1Connection connection, StreamLink link) {
		this.connection = connection;
		this.link = link;
	}

	/**
	 * Adds the http codec and the handler of a connection to a new pipeline.
	 * @param pipeline the pipeline, after any proxy and TLS handlers
	 * @param connection the connection the pipeline is for
	 * @param link the connection's stream
	 */
	static void addTo(ChannelPipeline pipeline, H1Connection connection, StreamLink link) {
		ProxiedReads.limit(pipeline.channel(), link);
		int maxHead = link.limits().maxHttpHeaderSize();
		// The status line is part of the head the limit bounds (Netty's own cap on it is 4 KiB).
		pipeline.addLast("http", new HttpClientCodec(new HttpDecoderConfig()
			.setMaxInitialLineLength(maxHead)
			.setMaxHeaderSize(maxHead)
			.setMaxChunkSize(65536), false, false))
			.addLast("h1", new H1ChannelHandler(connection, link));
	}

	/**
	 * The largest read for a proxy's onward stream.
	 * @see ProxiedReads#readLimit
	 */
	static int proxiedReadLimit(StreamTypePolicy policy) {
		return ProxiedReads.readLimit(policy);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			if (this.failed || !this.connection.isCurrent(ctx.channel()) || !(msg instanceof HttpObject object)) {
				return;
			}
			if (object.decoderResult().isFailure()) {
				logger.warn("malformed http response from {} for streamtype '{}': {}", ctx.channel().remoteAddress(),
						this.link.policy().name(), object.decoderResult().cause().getMessage());
				ctx.close();
				return;
			}
			if (msg instanceof HttpResponse response) {
				if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
					// This client never asks to upgrade; after a 101 the codec passes the rest on
					// as raw bytes and no final response would ever come.
					logger.warn("http server {} switched protocols unasked for streamtype '{}'; closing",
							ctx.channel().remoteAddress(), this.link.policy().name());
					this.connection.protocolViolation(ctx.channel(), "the server switched protocols unasked");
					return;
				}
				this.connection.onResponse(response);
			}
			if (msg instanceof HttpContent content && this.connection.isCurrent(ctx.channel())) {
				this.connection.onContent(content);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		if (evt instanceof SslCloseCompletionEvent closed && !closed.isSuccess()) {
			// Comes as the channel closes, before the codec ends a body that runs until then.
			this.failed = true;
		}
		super.userEventTriggered(ctx, evt);
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			this.connection.onWritable(ctx.channel());
		}
		ctx.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.connection.onInactive(ctx.channel());
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		this.failed = true;
		SSLException tls = TlsContexts.failureAfterHandshake(ctx.pipeline(), cause);
		if (tls != null) {
			// With TLS 1.3 a server rejects our client certificate (or its absence) by an alert
			// after our side of the handshake finished; the stream's own log line would only say
			// that the connection ended.
			logger.info("http connection to {} for streamtype '{}' failed: TLS: {}", ctx.channel().remoteAddress(),
					this.link.policy().name(), tls.getMessage());
		}
		else {
			logger.debug("http connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
		}
		ctx.close();
	}

}
