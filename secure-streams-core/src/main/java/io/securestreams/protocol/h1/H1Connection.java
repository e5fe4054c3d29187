package io.securestreams.protocol.h1;

import java.net.SocketAddress;
import java.net.URI;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.HttpResponseMapping;
import io.securestreams.policy.HttpSettings;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One http/1.1 connection of a client stream and the transactions on it. Follows
 * libwebsockets' {@code ss-h1.c}: metadata from response headers and any {@code http_resp_map}
 * state come before CONNECTED; body chunks are delivered with SOM on the first; a zero-length
 * EOM ends the body; then QOS_ACK_REMOTE or QOS_NACK_REMOTE. A successful transaction leaves the
 * connection open for the stream's next one when the server keeps it alive.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1Connection implements ProtocolConnection {

	private static final Logger logger = LoggerFactory.getLogger(H1Connection.class);

	static final int MAX_REDIRECTS = 10;

	private static final int TX_CHUNK = 16 * 1024;

	/** Fewest bytes one read may take from the server for a proxy's onward stream. */
	static final int PROXIED_MIN_READ = 4096;

	/** Most bytes one read takes from the server for a proxy's onward stream. */
	static final int PROXIED_MAX_READ = 64 * 1024;

	private final StreamLink link;

	private final Connector connector;

	private final @Nullable SslContext tls;

	private @Nullable Future<Channel> pending;

	private @Nullable Channel channel;

	private ConnectTarget target;

	private int redirects;

	private @Nullable H1Request request;

	private boolean bodyOpen;

	private long bodySent;

	private boolean inTransaction;

	private boolean connectedReported;

	private boolean somDelivered;

	private boolean skipping;

	private boolean good;

	private boolean keepAlive;

	private @Nullable ConnectTarget redirectTo;

	H1Connection(StreamLink link, Connector connector, @Nullable SslContext tls) {
		this.link = link;
		this.connector = connector;
		this.tls = tls;
		this.target = null;
	}

	void open(ConnectTarget target, int redirects) {
		this.target = target;
		this.redirects = redirects;
		Future<Channel> ready = this.connector.connect(this.link.eventLoop(), target, target.tls() ? this.tls : null,
				this.link.policy().attributes(), (pipeline) -> {
					if (this.link.isProxied()) {
						pipeline.channel().config().setRecvByteBufAllocator(
								new AdaptiveRecvByteBufAllocator(64, 1024, proxiedReadLimit(this.link.policy())));
					}
					pipeline.addLast("http", new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(16384)
						.setMaxChunkSize(65536), false, false))
						.addLast("h1", new Handler());
				});
		this.pending = ready;
		ready.addListener((Future<Channel> f) -> {
			if (this.pending != f) {
				return;
			}
			this.pending = null;
			if (f.isSuccess()) {
				this.channel = f.getNow();
				startTransaction(redirects == 0);
			}
			else {
				this.link.connectFailed((f.cause() != null) ? f.cause() : new IllegalStateException("connect cancelled"));
			}
		});
	}

	/**
	 * The largest read for a proxy's onward stream: what fits between the rx flow-control mark
	 * and the proxy buffer, so that a pause takes effect before the buffer overflows.
	 */
	static int proxiedReadLimit(io.securestreams.policy.StreamTypePolicy policy) {
		io.securestreams.policy.BufferSettings buffers = policy.buffers();
		long room = (buffers.proxyRxflowOnAbove() > 0)
				? buffers.effectiveProxyBuflen() - buffers.proxyRxflowOnAbove() : buffers.effectiveProxyBuflen() / 2;
		return (int) Math.max(PROXIED_MIN_READ, Math.min(PROXIED_MAX_READ, room));
	}

	private void startTransaction(boolean first) {
		this.link.takeTxRequest();
		if (!first && this.redirects == 0 && stop(this.link.state(StreamState.CONNECTING))) {
			return;
		}
		try {
			this.request = H1Request.build(this.link, this.target);
		}
		catch (IllegalStateException ex) {
			this.link.connectFailed(ex);
			closeChannel();
			return;
		}
		this.inTransaction = true;
		this.connectedReported = this.connectedReported && this.redirects > 0;
		this.somDelivered = false;
		this.skipping = false;
		this.bodySent = 0;
		Channel ch = this.channel;
		ch.write(this.request.request);
		if (this.request.body == H1Request.Body.NONE) {
			ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
			return;
		}
		this.bodyOpen = true;
		if (this.request.multipartHead != null) {
			ch.write(new DefaultHttpContent(Unpooled.wrappedBuffer(this.request.multipartHead)));
		}
		ch.flush();
		if (this.link.isProxied() && !this.connectedReported) {
			// A proxied client only sends its body after CONNECTED, so report it once headers are out.
			this.connectedReported = true;
			if (stop(this.link.state(StreamState.CONNECTED))) {
				return;
			}
		}
		pump();
	}

	private void pump() {
		Channel ch = this.channel;
		H1Request req = this.request;
		while (this.bodyOpen && ch != null && ch.isWritable() && this.link.isActive()) {
			long announced = this.link.txLength();
			int capacity = TX_CHUNK;
			if (announced >= 0) {
				long left = announced - this.bodySent;
				if (left <= 0) {
					finishBody();
					break;
				}
				capacity = (int) Math.min(TX_CHUNK, left);
			}
			ByteBuf buffer = ch.alloc().ioBuffer(capacity, capacity);
			TxResult result = this.link.tx(buffer);
			if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
				// Nothing to send now (or a zero-length write, swallowed so we do not spin).
				buffer.release();
				break;
			}
			this.bodySent += result.length();
			if (buffer.isReadable()) {
				ch.write(new DefaultHttpContent(buffer));
			}
			else {
				buffer.release();
			}
			boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM);
			if (eom && announced >= 0 && this.bodySent < announced) {
				logger.error("http body ended (EOM) after {} of the {} bytes announced by requestTxLen; closing",
						this.bodySent, announced);
				ch.close();
				return;
			}
			if (eom || (announced >= 0 && this.bodySent >= announced)) {
				finishBody();
				break;
			}
		}
		if (ch != null) {
			ch.flush();
		}
	}

	private void finishBody() {
		this.bodyOpen = false;
		this.link.txLengthConsumed();
		if (this.request != null && this.request.multipartTail != null) {
			this.channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(this.request.multipartTail)));
		}
		this.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
	}

	private void onResponse(HttpResponse response) {
		int status = response.status().code();
		if (status >= 100 && status < 200) {
			this.skipping = true;
			return;
		}
		HttpSettings http = this.link.policy().http();
		if (status == 503 || status == 429) {
			long retryAfter = RetryAfter.millis(response.headers().get(HttpHeaderNames.RETRY_AFTER),
					System.currentTimeMillis());
			logger.info("server answered {} to streamtype '{}'; retrying after at least {} ms", status,
					this.link.policy().name(), retryAfter);
			this.inTransaction = false;
			this.link.retryLater(retryAfter);
			closeChannel();
			return;
		}
		String location = response.headers().get(HttpHeaderNames.LOCATION);
		boolean redirect = location != null && (status == 301 || status == 302 || status == 303 || status == 307
				|| status == 308);
		if (redirect && !http.failRedirect() && http.allowRedirects() && this.request.body == H1Request.Body.NONE) {
			this.redirectTo = redirectTarget(location);
			if (this.redirectTo != null) {
				this.skipping = true;
				return;
			}
		}
		this.good = !(redirect && http.failRedirect())
				&& ((http.expect() != null) ? status == http.expect() : status >= 200 && status < 300);
		this.keepAlive = HttpUtil.isKeepAlive(response);
		for (MetadataDeclaration declaration : this.link.policy().metadata()) {
			String value = declaration.isMapped() ? response.headers().get(declaration.headerName()) : null;
			if (value != null) {
				this.link.receivedMetadata(declaration.name(), value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			}
		}
		for (HttpResponseMapping mapping : http.responseMap()) {
			if (mapping.status() == status && stop(this.link.state(StreamState.of(mapping.state())))) {
				return;
			}
		}
		if (!this.connectedReported) {
			this.connectedReported = true;
			stop(this.link.state(StreamState.CONNECTED));
		}
	}

	private @Nullable ConnectTarget redirectTarget(String location) {
		if (this.redirects >= MAX_REDIRECTS) {
			logger.warn("more than {} redirects for streamtype '{}'; not following", MAX_REDIRECTS,
					this.link.policy().name());
			return null;
		}
		try {
			URI base = new URI(this.target.tls() ? "https" : "http", null, this.target.host(), this.target.port(),
					"/", null, null);
			URI next = base.resolve(location);
			boolean tls = "https".equalsIgnoreCase(next.getScheme());
			int port = (next.getPort() > 0) ? next.getPort() : (tls ? 443 : 80);
			String path = (next.getRawPath() == null || next.getRawPath().isEmpty()) ? "/" : next.getRawPath();
			if (next.getRawQuery() != null) {
				path += "?" + next.getRawQuery();
			}
			if (tls && this.tls == null) {
				logger.warn("redirect to {} needs TLS, which the streamtype does not configure; not following", next);
				return null;
			}
			return new ConnectTarget(java.net.InetSocketAddress.createUnresolved(next.getHost(), port), next.getHost(),
					port, tls, path, this.target.socks5());
		}
		catch (java.net.URISyntaxException | IllegalArgumentException ex) {
			logger.warn("unusable redirect location '{}': {}", location, ex.getMessage());
			return null;
		}
	}

	private void onContent(HttpContent content) {
		if (this.skipping) {
			if (content instanceof LastHttpContent) {
				this.skipping = false;
				ConnectTarget next = this.redirectTo;
				if (next != null) {
					this.redirectTo = null;
					Channel old = this.channel;
					this.channel = null;
					old.close();
					open(next, this.redirects + 1);
				}
			}
			return;
		}
		ByteBuf data = content.content();
		if (data.isReadable()) {
			int flags = this.somDelivered ? 0 : StreamFlags.SOM;
			this.somDelivered = true;
			if (stop(this.link.rx(data, flags))) {
				return;
			}
		}
		if (content instanceof LastHttpContent) {
			completeTransaction();
		}
	}

	private void completeTransaction() {
		if (this.somDelivered && stop(this.link.rx(Unpooled.EMPTY_BUFFER, StreamFlags.EOM))) {
			return;
		}
		this.inTransaction = false;
		if (stop(this.link.state(this.good ? StreamState.QOS_ACK_REMOTE : StreamState.QOS_NACK_REMOTE))) {
			return;
		}
		// A proxy closes its onward connection after each transaction, as libwebsockets' proxy does:
		// the proxied client's table does not allow the CONNECTING of a kept-alive next transaction.
		if (!this.good || !this.keepAlive || this.bodyOpen) {
			this.bodyOpen = false;
			closeChannel();
		}
		else if (this.link.txRequested()) {
			startTransaction(false);
		}
	}

	private boolean stop(StreamResult result) {
		return result == StreamResult.DESTROY_ME || result == StreamResult.DISCONNECT_ME;
	}

	private void onInactive(Channel closed) {
		if (closed != this.channel) {
			return;
		}
		this.channel = null;
		this.link.closed(this.inTransaction);
	}

	private void closeChannel() {
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
	}

	@Override
	public void requestWrite() {
		if (this.channel == null || !this.channel.isActive()) {
			return;
		}
		if (this.bodyOpen) {
			pump();
		}
		else if (!this.inTransaction) {
			startTransaction(false);
		}
	}

	@Override
	public boolean isIdle() {
		Channel ch = this.channel;
		return ch != null && ch.isActive() && !this.inTransaction && !this.bodyOpen;
	}

	@Override
	public void close() {
		Future<Channel> connecting = this.pending;
		if (connecting != null) {
			connecting.cancel(false);
		}
		closeChannel();
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		Channel ch = this.channel;
		return (ch != null) ? ch.remoteAddress() : null;
	}

	@Override
	public void setRxPaused(boolean paused) {
		Channel ch = this.channel;
		if (ch != null) {
			ch.config().setAutoRead(!paused);
		}
	}

	/** Feeds the pipeline's events to the connection; ignores events of a superseded channel. */
	private final class Handler extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			try {
				if (ctx.channel() != H1Connection.this.channel || !(msg instanceof HttpObject object)) {
					return;
				}
				if (object.decoderResult().isFailure()) {
					logger.warn("malformed http response from {} for streamtype '{}': {}", ctx.channel().remoteAddress(),
							H1Connection.this.link.policy().name(), object.decoderResult().cause().getMessage());
					ctx.close();
					return;
				}
				if (msg instanceof HttpResponse response) {
					onResponse(response);
				}
				if (msg instanceof HttpContent content && H1Connection.this.channel == ctx.channel()) {
					onContent(content);
				}
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
		}

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) {
			if (ctx.channel().isWritable() && H1Connection.this.bodyOpen && ctx.channel() == H1Connection.this.channel) {
				pump();
			}
			ctx.fireChannelWritabilityChanged();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			onInactive(ctx.channel());
			ctx.fireChannelInactive();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			logger.debug("http connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
			ctx.close();
		}

	}

}
