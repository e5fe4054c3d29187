package io.securestreams.server.h1;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.ws.WsSession;
import io.securestreams.server.ServerConnection;
import io.securestreams.server.ServerLink;
import io.securestreams.server.ws.WsUpgrade;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted http/1.1 connection. For every request it stores the request metadata, reports
 * CONNECTED (first request only) and SERVER_TXN, delivers the body with SOM on the first chunk
 * and a zero-length EOM at its end, and lets an {@link H1Response} send the handler's answer.
 * When the request is complete and the handler has not asked to send by the next event-loop
 * turn, the response goes out at once without a body (the {@code serverAck} status, or 404).
 * <p>
 * Reads are explicit (auto-read off, one message per read through a
 * {@link io.netty.handler.codec.http.HttpServerCodec} and a flow-control handler), so the next
 * request is only read once the current response is complete: pipelined requests wait, and a
 * client cannot make the server buffer beyond one socket read. A request head must arrive
 * within the handshake timeout of the connection's start or of the previous response
 * (slow-client protection; this also closes idle kept-alive connections). Malformed requests,
 * oversized request lines and headers are answered with 400, 414 or 431 and the connection is
 * cut off, with a log line naming the reason.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1ServerConnection extends ChannelInboundHandlerAdapter implements ServerConnection {

	static final String WATCH_HANDLER = "http-watch";

	static final String CONTINUE_HANDLER = "http-continue";

	static final String FLOW_HANDLER = "http-flow";

	private static final Logger logger = LoggerFactory.getLogger(H1ServerConnection.class);

	private ServerLink link;

	private final boolean wsAllowed;

	private @Nullable ChannelHandlerContext ctx;

	private @Nullable ScheduledFuture<?> headTimer;

	private boolean headBytesSeen;

	private int transactions;

	private boolean connectedReported;

	private @Nullable H1Response response;

	private boolean requestDone;

	private boolean somDelivered;

	private @Nullable HttpRequest upgradeRequest;

	private @Nullable WsSession wsSession;

	private boolean stopped;

	private boolean readPending;

	H1ServerConnection(ServerLink link, boolean wsAllowed) {
		this.link = link;
		this.wsAllowed = wsAllowed;
	}

	/**
	 * Returns a handler for the front of the pipeline that notices bytes of a request head.
	 * @return the handler
	 */
	ChannelHandler headWatch() {
		return new ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(ChannelHandlerContext context, Object msg) {
				if (msg instanceof ByteBuf data && data.isReadable()) {
					H1ServerConnection.this.headBytesSeen = true;
				}
				context.fireChannelRead(msg);
			}
		};
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
	}

	@Override
	public void start() {
		ChannelHandlerContext context = this.ctx;
		if (context == null) {
			return;
		}
		waitForHead();
	}

	private void waitForHead() {
		ChannelHandlerContext context = this.ctx;
		this.response = null;
		this.headBytesSeen = false;
		long timeout = this.link.limits().handshakeTimeout().toMillis();
		this.headTimer = context.executor().schedule(() -> headTimedOut(timeout), timeout, TimeUnit.MILLISECONDS);
		readNext();
	}

	private void readNext() {
		if (!this.readPending) {
			this.readPending = true;
			this.ctx.read();
		}
	}

	private void headTimedOut(long timeout) {
		this.headTimer = null;
		if (this.headBytesSeen) {
			reject(HttpResponseStatus.REQUEST_TIMEOUT, "no complete request head within " + timeout + " ms (slow client)");
		}
		else {
			logger.debug("{}: closing the connection, idle for {} ms", this.link.describe(), timeout);
			this.stopped = true;
			this.ctx.close();
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext context, Object msg) {
		this.readPending = false;
		try {
			if (this.stopped) {
				return;
			}
			if (msg instanceof HttpRequest request) {
				onHead(request);
			}
			if (msg instanceof HttpContent content && !this.stopped) {
				onContent(content);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
		if (!this.stopped && this.wsSession == null && (this.response == null || !this.requestDone)) {
			readNext();
		}
	}

	private void onHead(HttpRequest request) {
		cancelHeadTimer();
		if (request.decoderResult().isFailure()) {
			rejectMalformed(request.decoderResult().cause());
			return;
		}
		boolean upgrade = this.wsAllowed && request.headers().containsValue(HttpHeaderNames.CONNECTION,
				HttpHeaderValues.UPGRADE, true) && request.headers().contains(HttpHeaderNames.UPGRADE,
				HttpHeaderValues.WEBSOCKET, true);
		if (upgrade && this.transactions > 0) {
			// SERVER_TXN -> SERVER_UPGRADE is not a legal transition: a new accepted stream carries the ws connection.
			this.link = this.link.handOver();
		}
		this.link.newTransaction();
		try {
			RequestMetadata.store(this.link, request);
		}
		catch (IllegalArgumentException ex) {
			reject(HttpResponseStatus.BAD_REQUEST, "undecodable request URI: " + ex.getMessage());
			return;
		}
		if (upgrade) {
			this.upgradeRequest = request;
		}
		else {
			this.transactions++;
			this.response = new H1Response(this.link, this.ctx.channel(), request, this::responseDone);
			this.requestDone = false;
			this.somDelivered = false;
		}
		if (!this.connectedReported) {
			this.connectedReported = true;
			if (stop(this.link.state(StreamState.CONNECTED))) {
				return;
			}
		}
		if (!upgrade) {
			stop(this.link.state(StreamState.SERVER_TXN));
		}
	}

	private void onContent(HttpContent content) {
		HttpRequest upgrade = this.upgradeRequest;
		if (upgrade != null) {
			if (content instanceof LastHttpContent) {
				this.upgradeRequest = null;
				this.wsSession = WsUpgrade.upgrade(this.ctx.channel(), upgrade, this.link, this);
			}
			return;
		}
		H1Response current = this.response;
		if (current == null || this.requestDone) {
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
			if (this.somDelivered && stop(this.link.rx(Unpooled.EMPTY_BUFFER, StreamFlags.EOM))) {
				return;
			}
			this.requestDone = true;
			this.ctx.executor().execute(() -> {
				if (this.response == current && !this.link.responseRequested() && this.link.isActive()) {
					current.respondWithoutBody();
				}
			});
			if (current.done()) {
				responseDone();
			}
		}
	}

	private void responseDone() {
		H1Response current = this.response;
		if (current != null && current.done() && this.requestDone && !this.stopped && this.ctx.channel().isActive()) {
			waitForHead();
		}
	}

	private boolean stop(StreamResult result) {
		if (result == StreamResult.DISCONNECT_ME || result == StreamResult.DESTROY_ME) {
			this.stopped = true;
			return true;
		}
		return false;
	}

	private void rejectMalformed(Throwable cause) {
		int maxHead = this.link.limits().maxHttpHeaderSize();
		if (cause instanceof TooLongHttpHeaderException) {
			reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers larger than " + maxHead + " bytes");
		}
		else if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
			reject(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
		}
		else {
			reject(HttpResponseStatus.BAD_REQUEST, "malformed http request: " + cause.getMessage());
		}
	}

	private void reject(HttpResponseStatus status, String reason) {
		logger.warn("{}: cutting off the connection: {}", this.link.describe(), reason);
		this.stopped = true;
		cancelHeadTimer();
		FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
		answer.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		this.ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
	}

	private void cancelHeadTimer() {
		if (this.headTimer != null) {
			this.headTimer.cancel(false);
			this.headTimer = null;
		}
	}

	@Override
	public void requestWrite() {
		if (this.wsSession != null) {
			this.wsSession.requestWrite();
		}
		else if (this.response != null && !this.stopped) {
			this.response.pump();
		}
	}

	@Override
	public void close() {
		if (this.wsSession != null) {
			this.wsSession.close();
		}
		else if (this.ctx != null) {
			this.ctx.close();
		}
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		return (this.ctx != null) ? this.ctx.channel().remoteAddress() : null;
	}

	@Override
	public void validityConfirmed() {
		if (this.wsSession != null) {
			this.wsSession.validityConfirmed();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext context) {
		// The flow-control handler forgets an unsatisfied read at the end of a read batch: ask again.
		if (this.readPending && !this.stopped) {
			this.readPending = false;
			readNext();
		}
		context.fireChannelReadComplete();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext context) {
		if (context.channel().isWritable() && this.response != null && !this.stopped) {
			this.response.pump();
		}
		context.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext context) {
		cancelHeadTimer();
		this.stopped = true;
		this.link.closed(false);
		context.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
		logger.debug("{}: connection failed: {}", this.link.describe(), cause.toString());
		context.close();
	}

}
