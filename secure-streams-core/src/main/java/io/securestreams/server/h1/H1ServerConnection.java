package io.securestreams.server.h1;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.ws.WsSession;
import io.securestreams.server.ServerConnection;
import io.securestreams.server.ServerLink;
import io.securestreams.server.http.RequestMetadata;
import io.securestreams.server.http.ServerResponse;
import io.securestreams.transport.VisibleAddresses;
import io.securestreams.transport.WriteStallWatch;
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
 * {@link H1ServerCodec} and a flow-control handler), so the next
 * request is only read once the current response is complete: pipelined requests wait, and a
 * client cannot make the server buffer beyond one socket read. A request head must arrive
 * within the handshake timeout of the connection's start or of the previous response
 * (slow-client protection; this also closes idle kept-alive connections), and a request body
 * must not pause for longer than that timeout until its end (answered 408 when the response has
 * not started, otherwise the connection is just closed). {@code Expect: 100-continue} is answered
 * here rather than by Netty's handler, after SERVER_TXN and only while the body is still wanted
 * (see sendContinue); another expectation gets 417. Malformed requests,
 * oversized request lines and headers are answered with 400, 414 or 431 and the connection is
 * cut off, with a log line naming the reason.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1ServerConnection extends ChannelInboundHandlerAdapter implements ServerConnection, RequestTimer.Expiry {

	static final String WATCH_HANDLER = "http-watch";

	static final String FLOW_HANDLER = "http-flow";

	private static final Logger logger = LoggerFactory.getLogger(H1ServerConnection.class);

	private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private ServerLink link;

	private final boolean wsAllowed;

	private @Nullable ChannelHandlerContext ctx;

	private final RequestTimer requestTimer;

	private final H1ServerCodec codec;

	private int transactions;

	private boolean connectedReported;

	private @Nullable H1Response response;

	private boolean requestDone;

	private boolean somDelivered;

	private @Nullable HttpRequest upgradeRequest;

	private @Nullable WsSession wsSession;

	private boolean stopped;

	private boolean readPending;

	// The client ended its sending (half-close): the current transaction is still answered.
	private boolean inputClosed;

	// One for the connection: the end of a response may still wait to be read as the next starts.
	private final WriteStallWatch stall;

	H1ServerConnection(ServerLink link, boolean wsAllowed, H1ServerCodec codec) {
		this.link = link;
		this.wsAllowed = wsAllowed;
		this.codec = codec;
		this.requestTimer = new RequestTimer(link.limits().handshakeTimeout().toMillis(), this);
		this.stall = ServerResponse.stallWatch(link, Channel::close);
	}

	/**
	 * Returns the handler for the front of the pipeline that times requests.
	 * @return the handler
	 */
	ChannelHandler requestWatch() {
		return this.requestTimer;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
		// A client that ends its sending once its request is out (nc -N, socat, HTTP/1.0 scripts)
		// still gets the answer, as the libwebsockets h1 server writes on after a read of 0 bytes;
		// without this Netty closed the connection at the client's FIN and the answer was lost.
		context.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
	}

	@Override
	public void start() {
		if (this.ctx != null) {
			waitForHead();
		}
	}

	private void waitForHead() {
		this.response = null;
		this.requestTimer.arm(this.codec.holdsPartialRequest());
		readNext();
	}

	private void readNext() {
		if (!this.readPending) {
			this.readPending = true;
			this.ctx.read();
		}
	}

	@Override
	public void headTimedOut(boolean bytesSeen) {
		long timeout = this.requestTimer.timeoutMillis();
		if (bytesSeen) {
			reject(HttpResponseStatus.REQUEST_TIMEOUT,
					"no complete request head within " + timeout + " ms (slow client)");
		}
		else {
			logger.debug("{}: closing the connection, idle for {} ms", this.link.describe(), timeout);
			this.stopped = true;
			this.ctx.close();
		}
	}

	@Override
	public void bodyStalled() {
		if (this.stopped) {
			return;
		}
		cutOff(HttpResponseStatus.REQUEST_TIMEOUT, "request body stalled: no body bytes for "
				+ this.requestTimer.timeoutMillis() + " ms (slow client)");
	}

	@Override
	public void channelRead(ChannelHandlerContext context, Object msg) {
		this.readPending = false;
		try {
			if (this.stopped) {
				return;
			}
			if (msg instanceof WebSocketFrame frame && this.wsSession != null) {
				// Sent with the upgrade request: decoded as the handshake replaced the http decoder,
				// before the session took this handler's place.
				this.wsSession.hold(frame.retain());
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
		this.requestTimer.headDecoded();
		if (request.decoderResult().isFailure()) {
			reject(Rejection.forDecoderFailure(request.decoderResult().cause(),
					this.link.limits().maxHttpHeaderSize()));
			return;
		}
		Rejection framing = Rejection.forVersion(request);
		if (framing != null) {
			reject(framing);
			return;
		}
		Rejection.servedVersion(request);
		framing = Rejection.forTransferEncoding(request.headers());
		if (framing == null) {
			framing = Rejection.forHost(request, this.ctx.channel().localAddress() instanceof InetSocketAddress);
		}
		if (framing == null) {
			framing = Rejection.forExpectation(request);
		}
		if (framing != null) {
			reject(framing);
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
			RequestMetadata.store(this.link, request.uri(), request.method().name(),
					request.headers().get(HttpHeaderNames.AUTHORIZATION), request.headers()::iteratorCharSequence);
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
			this.response = new H1Response(this.link, this.ctx.channel(), request, this::responseDone, this.stall);
			this.requestDone = false;
			this.somDelivered = false;
		}
		if (!this.connectedReported) {
			this.connectedReported = true;
			if (stop(this.link.state(StreamState.CONNECTED))) {
				return;
			}
		}
		if (!upgrade && stop(this.link.state(StreamState.SERVER_TXN))) {
			return;
		}
		if (HttpUtil.is100ContinueExpected(request)) {
			// After the handler's requestTx or requestTxLen at SERVER_TXN, which pumps the response on a later task.
			H1Response current = this.response;
			this.ctx.executor().execute(() -> sendContinue(request, current));
		}
	}

	/**
	 * Tells the client to send the body it holds back ({@code Expect: 100-continue}), unless the
	 * request is no longer being read or the handler has started its answer: RFC 9110 section
	 * 10.1.1 lets a server answer without reading the body, and a 100 in the middle of a
	 * response would break it. Written around the response encoder, which takes one queued
	 * request method for every response it encodes: a 100 through it would take the method of
	 * the next pipelined request, and a HEAD's would make the final response go out without its
	 * body.
	 */
	private void sendContinue(HttpRequest request, @Nullable H1Response current) {
		if (this.stopped || this.wsSession != null || !this.ctx.channel().isActive()) {
			return;
		}
		boolean reading = (current != null) ? this.response == current && !current.started() && !this.requestDone
				: this.upgradeRequest == request;
		ChannelHandlerContext encoder = this.ctx.pipeline().context(this.codec.encoder());
		if (reading && encoder != null) {
			encoder.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
		}
	}

	private void onContent(HttpContent content) {
		if (content.decoderResult().isFailure()) {
			// A broken chunked body: the decoder ends it with a failed last content and then drops
			// every later byte, so the body must not reach the handler as complete.
			badBody(content.decoderResult().cause());
			return;
		}
		if (content instanceof LastHttpContent) {
			this.requestTimer.cancel();
		}
		else {
			this.requestTimer.bodyActivity();
		}
		HttpRequest upgrade = this.upgradeRequest;
		if (upgrade != null) {
			if (content instanceof LastHttpContent) {
				this.upgradeRequest = null;
				// The ws session writes from now on, and its client may rightly read nothing for a
				// while: a watch left running by the last http response must not cut it off.
				this.stall.cancel();
				// A ws client's half-close ends the session at once, as before: only an http
				// transaction is answered after one.
				this.ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
				this.wsSession = WsUpgrade.newSession(this.link);
				if (!WsUpgrade.upgrade(this.ctx.channel(), upgrade, this.link, this, this.wsSession)) {
					this.wsSession = null;
				}
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

	private void badBody(Throwable cause) {
		cutOff(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + cause.getMessage());
	}

	/**
	 * Gives up on a request whose body cannot be read to its end: answers with {@code status} and
	 * closes, or just closes when the handler's response is already on the wire (no room for
	 * another answer then).
	 */
	private void cutOff(HttpResponseStatus status, String reason) {
		H1Response current = this.response;
		if (current != null && current.started()) {
			logger.warn("{}: cutting off the connection: {}", this.link.describe(), reason);
			this.stopped = true;
			this.requestTimer.cancel();
			this.ctx.close();
		}
		else {
			reject(status, reason);
		}
	}

	private void responseDone() {
		H1Response current = this.response;
		if (current == null || !current.done() || !this.requestDone || this.stopped) {
			return;
		}
		if (this.inputClosed) {
			// No request can follow a half-close: close once the answer is written (pipelined
			// requests behind it are not served, as in libwebsockets).
			this.stopped = true;
			this.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			return;
		}
		if (current.closesConnection()) {
			// Closed once the response is written, which a slow reader may delay: until then a
			// pipelined request behind it must not reach the handler.
			this.stopped = true;
			return;
		}
		if (this.ctx.channel().isActive()) {
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

	private void reject(HttpResponseStatus status, String reason) {
		reject(new Rejection(status, reason));
	}

	private void reject(Rejection rejection) {
		logger.warn("{}: cutting off the connection: {}", this.link.describe(), rejection.reason());
		this.stopped = true;
		this.requestTimer.cancel();
		rejection.answer(this.ctx);
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
		return (this.ctx != null) ? VisibleAddresses.of(this.ctx.channel().remoteAddress()) : null;
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
	public void userEventTriggered(ChannelHandlerContext context, Object event) {
		if (event instanceof ChannelInputShutdownEvent) {
			inputShutdown();
		}
		context.fireUserEventTriggered(event);
	}

	/**
	 * The client half-closed. The decoder has decoded what it could before telling: a request it
	 * still holds in part can never complete. The current request goes on when it is complete,
	 * or complete in the decoder and its end still queued for this handler; otherwise (between
	 * requests, in the middle of one, or a ws upgrade) the connection closes at once.
	 */
	private void inputShutdown() {
		this.inputClosed = true;
		if (this.stopped) {
			return;
		}
		H1Response current = this.response;
		boolean answering = current != null && this.wsSession == null && this.upgradeRequest == null
				&& (this.requestDone || !this.codec.holdsPartialRequest());
		if (!answering) {
			logger.debug("{}: the client ended its sending between or within requests; closing", this.link.describe());
			this.stopped = true;
			this.requestTimer.cancel();
			this.ctx.close();
		}
		else if (current.done()) {
			responseDone();
		}
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
		this.requestTimer.cancel();
		this.stall.cancel();
		this.stopped = true;
		this.link.closed(false);
		context.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
		if (this.wsSession != null && cause instanceof CorruptedWebSocketFrameException violation) {
			// In frames sent with the upgrade request, decoded before the 101 is written: closing
			// now would drop the 101, the close frame and the warning; the session answers it.
			this.wsSession.holdViolation(violation);
			return;
		}
		logger.debug("{}: connection failed: {}", this.link.describe(), cause.toString());
		context.close();
	}

}
