package io.securestreams.protocol.ws;

import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.protocol.ChannelConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.http.RequestHeaders;
import io.securestreams.protocol.http.ResponseHeaderValues;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ws client connection: the upgrade request (path from {@code http_url}, the policy's
 * {@code ws_subprotocol}, metadata mapped to headers and the system-blob headers such as
 * {@code http_auth_header}, built as for h1 requests by {@link RequestHeaders}; a missing blob
 * fails the attempt), the check of the answer (a different or
 * missing subprotocol fails the attempt: UNREACHABLE, then backoff), CONNECTED when the
 * handshake completes (interim 1xx answers before the 101 skipped), then a {@link WsSession}.
 * When an established connection closes the runtime is asked to reconnect (it does so unless the
 * streamtype is opportunistic).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class WsClientConnection extends ChannelConnection {

	private static final Logger logger = LoggerFactory.getLogger(WsClientConnection.class);

	private static final String ANSWER_STATUS = "upgrade-status";

	private final StreamLink link;

	private final Connector connector;

	private final @Nullable SslContext tls;

	private @Nullable Future<Channel> pending;

	private @Nullable Channel channel;

	private @Nullable WsSession session;

	private @Nullable ScheduledFuture<?> handshakeTimer;

	private @Nullable ConnectTarget target;

	private boolean failed;

	WsClientConnection(StreamLink link, Connector connector, @Nullable SslContext tls) {
		this.link = link;
		this.connector = connector;
		this.tls = tls;
	}

	void open(ConnectTarget target) {
		this.target = target;
		String subprotocol = this.link.policy().ws().subprotocol();
		URI uri = URI.create((target.tls() ? "wss://" : "ws://") + target.authority() + "/");
		WebSocketClientHandshaker handshaker = new WsClientHandshaker(uri, requestTarget(target), subprotocol,
				requestHeaders(target), this.link.limits().maxWsFramePayload(), 10_000L);
		Future<Channel> ready = this.connector.connect(this.link.eventLoop(), target, target.tls() ? this.tls : null,
				this.link.policy().attributes(), this.link.timings(),
				(pipeline) -> pipeline
					.addLast("http-encoder", new HttpRequestEncoder())
					.addLast("http", new UpgradeAnswerDecoder(new HttpDecoderConfig()
						.setMaxInitialLineLength(this.link.limits().maxHttpHeaderSize())
						.setMaxHeaderSize(this.link.limits().maxHttpHeaderSize())))
					.addLast(ANSWER_STATUS, new AnswerStatus())
					.addLast("http-aggregator", new HttpObjectAggregator(this.link.limits().maxHttpHeaderSize()))
					.addLast("ws-handshake", new Handshake(handshaker)));
		this.pending = ready;
		ready.addListener((Future<Channel> f) -> {
			if (this.pending != f) {
				return;
			}
			this.pending = null;
			if (!f.isSuccess()) {
				fail((f.cause() != null) ? f.cause() : new IllegalStateException("connect cancelled"));
				return;
			}
			Channel ch = f.getNow();
			this.channel = ch;
			long timeout = this.link.limits().handshakeTimeout().toMillis();
			this.handshakeTimer = ch.eventLoop().schedule(() -> fail(new WebSocketHandshakeException(
					"no ws upgrade answer from " + target + " within " + timeout + " ms")), timeout,
					TimeUnit.MILLISECONDS);
			ConnectionTimings timings = this.link.timings();
			if (timings != null) {
				timings.requestSent();
			}
			handshaker.handshake(ch).addListener((written) -> {
				if (!written.isSuccess()) {
					fail(written.cause());
				}
			});
		});
	}

	// The expanded http_url goes out as it is, as on h1; a space or control character (from
	// metadata) would break the request line, and fails the attempt here, before anything is sent.
	private static String requestTarget(ConnectTarget target) {
		String path = target.path();
		for (int i = 0; i < path.length(); i++) {
			char c = path.charAt(i);
			if (c <= ' ' || c == 0x7f) {
				throw new IllegalArgumentException("the ws request target (http_url, expanded) holds a space or "
						+ "control character at index " + i + " and cannot be sent");
			}
		}
		return path;
	}

	private HttpHeaders requestHeaders(ConnectTarget target) {
		HttpHeaders headers = new DefaultHttpHeaders();
		// Set here, as h1 does: Netty's handshaker would take them from a URI, which has no host for
		// a name with an underscore (a container's service name), and then refused to send at all.
		// The Origin is the one Netty made (and libwebsockets sends): http(s)://authority.
		headers.set(HttpHeaderNames.HOST, target.authority());
		headers.set(HttpHeaderNames.ORIGIN, (target.tls() ? "https://" : "http://") + target.authority());
		RequestHeaders.add(this.link.policy(), this.link.metadata(), this.link.blobs(), headers);
		if (this.link.policy().http().cookies()) {
			this.link.cookies().addCookies(target, headers);
		}
		if (this.link.authScheme() != null) {
			// Signed over the Host sent (set above; Netty's handshaker keeps a Host it is given).
			RequestHeaders.addSignature(this.link.authScheme(), this.link.policy(), this.link.metadata(),
					this.link.blobs(), "GET", target.path(), headers);
		}
		return headers;
	}

	private void established(Channel ch, FullHttpResponse response, Handshake handshake) {
		cancelHandshakeTimer();
		ConnectionTimings timings = this.link.timings();
		if (timings != null) {
			timings.responseStarted(response.status().code());
		}
		if (this.link.policy().http().cookies() && this.target != null) {
			this.link.cookies().keepCookies(this.target, response.headers());
		}
		for (MetadataDeclaration declaration : this.link.policy().metadata()) {
			String value = declaration.isMapped()
					? ResponseHeaderValues.joined(response.headers(), declaration.headerName()) : null;
			if (value != null) {
				// Netty reads each header byte as one char: ISO-8859-1 gives back the bytes sent.
				this.link.receivedMetadata(declaration.name(), value.getBytes(StandardCharsets.ISO_8859_1));
			}
		}
		WsSession established = new WsSession(this.link, () -> this.link.closed(true));
		this.session = established;
		ch.pipeline().remove(ANSWER_STATUS);
		ch.pipeline().replace(handshake, "ws", established);
		StreamResult result = this.link.state(StreamState.CONNECTED);
		if (result != StreamResult.DISCONNECT_ME && result != StreamResult.DESTROY_ME) {
			established.start(ch);
		}
	}

	private void fail(Throwable cause) {
		if (this.failed || this.session != null) {
			return;
		}
		this.failed = true;
		cancelHandshakeTimer();
		this.link.connectFailed(cause);
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
	}

	private void cancelHandshakeTimer() {
		if (this.handshakeTimer != null) {
			this.handshakeTimer.cancel(false);
			this.handshakeTimer = null;
		}
	}

	@Override
	public void requestWrite() {
		WsSession current = this.session;
		if (current != null) {
			current.requestWrite();
		}
	}

	@Override
	public void close() {
		Future<Channel> connecting = this.pending;
		if (connecting != null) {
			connecting.cancel(false);
		}
		WsSession current = this.session;
		if (current != null) {
			current.close();
		}
		else if (this.channel != null) {
			this.channel.close();
		}
	}

	@Override
	protected @Nullable Channel channel() {
		return this.channel;
	}

	@Override
	public void setRxPaused(boolean paused) {
		// Before the upgrade completes there is no session to pause for; the stream applies its
		// pause at CONNECTED, which the session keeps when it starts right after.
		WsSession current = this.session;
		if (current != null) {
			current.setRxPaused(paused);
		}
	}

	@Override
	public void validityConfirmed() {
		WsSession current = this.session;
		if (current != null) {
			current.validityConfirmed();
		}
	}

	private void refused(ChannelHandlerContext ctx, WebSocketHandshakeException why) {
		logger.info("ws stream '{}': upgrade refused by {}: {}", this.link.policy().name(),
				ctx.channel().remoteAddress(), why.getMessage());
		fail(why);
	}

	/**
	 * Refuses an answer other than 101 on its head: its body (an error page longer than the head
	 * limit, a response that streams on) says nothing more, and waiting for it failed the attempt
	 * as "entity too large" or, after the handshake timeout, as no answer at all. An interim 1xx
	 * answer (100, 103 Early Hints) is skipped with its headers: RFC 9110 section 15.2 lets a
	 * server send any number before the final one, which for an upgrade is the 101. The
	 * handshake timeout keeps running, so interim answers cannot hold the attempt open.
	 */
	private final class AnswerStatus extends ChannelInboundHandlerAdapter {

		// Inside an interim answer: the decoder ends it with an empty LastHttpContent.
		private boolean skipping;

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (WsClientConnection.this.failed) {
				ReferenceCountUtil.release(msg);
				return;
			}
			if (this.skipping && msg instanceof HttpContent) {
				this.skipping = !(msg instanceof LastHttpContent);
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()
					&& response.status().codeClass() == HttpStatusClass.INFORMATIONAL
					&& response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
				logger.debug("ws stream '{}': skipping the interim answer {} from {}",
						WsClientConnection.this.link.policy().name(), response.status(), ctx.channel().remoteAddress());
				this.skipping = !(msg instanceof LastHttpContent);
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpResponse response && response.decoderResult().isSuccess()
					&& response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
				ReferenceCountUtil.release(msg);
				refused(ctx, new WebSocketHandshakeException("the server answered " + response.status()
						+ " instead of 101 Switching Protocols"));
				return;
			}
			ctx.fireChannelRead(msg);
		}

	}

	/** Completes the opening handshake, then hands the pipeline over to the session. */
	private final class Handshake extends ChannelInboundHandlerAdapter {

		private final WebSocketClientHandshaker handshaker;

		Handshake(WebSocketClientHandshaker handshaker) {
			this.handshaker = handshaker;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			try {
				if (!(msg instanceof FullHttpResponse response) || this.handshaker.isHandshakeComplete()) {
					return;
				}
				if (response.decoderResult().isFailure()) {
					// Netty hands on what it read before the fault (a status line and headers that may
					// look like a valid upgrade): never take that as the server's answer.
					logger.warn("ws stream '{}': malformed upgrade answer from {}: {}",
							WsClientConnection.this.link.policy().name(), ctx.channel().remoteAddress(),
							response.decoderResult().cause().getMessage());
					fail(response.decoderResult().cause());
					return;
				}
				try {
					refuseExtensions(response);
					this.handshaker.finishHandshake(ctx.channel(), response);
				}
				catch (WebSocketHandshakeException ex) {
					refused(ctx, ex);
					return;
				}
				established(ctx.channel(), response, this);
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
		}

		// This client offers no extension, so an answer that names one must fail the connection
		// (RFC 6455 section 4.1); Netty's handshaker does not check it, and the extension's frames
		// would only fail later as protocol violations.
		private static void refuseExtensions(FullHttpResponse response) {
			String extensions = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
			if (extensions != null && !extensions.isBlank()) {
				throw new WebSocketHandshakeException(
						"the server chose extension(s) '" + extensions.trim() + "', which were not offered");
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			fail(new ClosedChannelException());
			ctx.fireChannelInactive();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			logger.debug("ws handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
			fail(cause);
		}

	}

}
