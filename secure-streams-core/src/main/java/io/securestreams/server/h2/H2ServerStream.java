package io.securestreams.server.h2;

import java.net.SocketAddress;
import java.util.StringJoiner;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One h2 stream of a server connection, which is one accepted stream carrying one transaction.
 * Its request HEADERS store the request metadata, then CONNECTED and SERVER_TXN are reported;
 * DATA frames reach {@code onRx} with SOM on the first and a zero-length EOM at the end of the
 * request. The handler's response goes out as an {@link H2Response}; without one by the event-loop
 * turn after the request ended, the response is sent without a body (the {@code serverAck}
 * status, or 404). When the h2 stream closes, the accepted stream reports DISCONNECTED. A
 * request with {@code expect: 100-continue} is answered 100 after SERVER_TXN, while its body is
 * still wanted, and any other expectation 417 (as the http/1.1 binding does); a request that
 * stops arriving for the handshake timeout before it is complete is reset. An extended CONNECT
 * for ws (RFC 8441) is handed to {@link H2WsUpgrade}; any other CONNECT is answered 400 and reset.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2ServerStream extends ChannelInboundHandlerAdapter implements ServerConnection {

	private static final Logger logger = LoggerFactory.getLogger(H2ServerStream.class);

	private final ServerLink link;

	private @Nullable ChannelHandlerContext ctx;

	private @Nullable ServerResponse response;

	private @Nullable WsSession wsSession;

	private boolean requestDone;

	private boolean somDelivered;

	private boolean stopped;

	private final Runnable flusher;

	private final StreamProblemLog problems;

	private final RequestTimer requestTimer;

	H2ServerStream(ServerLink link, Runnable flusher, StreamProblemLog problems) {
		this.link = link;
		this.flusher = flusher;
		this.problems = problems;
		this.requestTimer = new RequestTimer(link.limits().handshakeTimeout().toMillis(), this::requestStalled);
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
	}

	@Override
	public void start() {
		// An h2 stream channel reads by itself; its request is already on the way.
	}

	@Override
	public void channelRead(ChannelHandlerContext context, Object msg) {
		try {
			if (this.stopped) {
				return;
			}
			if (msg instanceof Http2HeadersFrame headers) {
				if (this.response == null) {
					onRequest(context, headers);
				}
				else if (headers.isEndStream()) {
					// Trailers end the request body.
					endOfBody(context);
				}
			}
			else if (msg instanceof Http2DataFrame data) {
				onData(context, data);
			}
			if (!this.requestDone && !this.stopped) {
				// Only a request still arriving is timed: a GET ends with its HEADERS.
				armRequestTimer(context);
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	private void onRequest(ChannelHandlerContext context, Http2HeadersFrame frame) {
		Http2Headers headers = frame.headers();
		CharSequence method = headers.method();
		CharSequence path = headers.path();
		boolean connect = method != null && H2WsUpgrade.isConnect(method);
		String refusal = connect ? H2WsUpgrade.refusal(headers, frame.isEndStream(), this.link) : null;
		if (refusal != null) {
			reject(context, 400, refusal, frame.isEndStream());
			return;
		}
		String missing = missingPseudoHeaders(method, path, headers.scheme());
		if (missing != null) {
			reject(context, 400, "request HEADERS without " + missing, frame.isEndStream());
			return;
		}
		CharSequence unsupported = unsupportedExpectation(headers);
		if (unsupported != null) {
			// RFC 9110 section 10.1.1; the 417 ends the stream, so the request never reaches the handler.
			reject(context, 417, "unsupported expectation: expect '" + unsupported + "'", frame.isEndStream());
			return;
		}
		this.link.newTransaction();
		CharSequence authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
		try {
			RequestMetadata.store(this.link, path.toString(), method.toString(),
					(authorization != null) ? authorization.toString() : null, headers);
		}
		catch (IllegalArgumentException ex) {
			reject(context, 400, "undecodable request :path: " + ex.getMessage(), frame.isEndStream());
			return;
		}
		if (connect) {
			// An extended CONNECT has no request body to time: the stream carries ws from now on.
			this.requestDone = true;
			cancelRequestTimer();
			if (!stop(this.link.state(StreamState.CONNECTED))) {
				this.wsSession = H2WsUpgrade.upgrade(context, headers, this.link, this);
			}
			return;
		}
		boolean head = HttpMethod.HEAD.name().contentEquals(method);
		this.response = new H2Response(this.link, context.channel(), head, this.flusher);
		if (stop(this.link.state(StreamState.CONNECTED)) || stop(this.link.state(StreamState.SERVER_TXN))) {
			return;
		}
		if (frame.isEndStream()) {
			requestEnded(context);
		}
		else if (headers.contains(HttpHeaderNames.EXPECT)) {
			// After the handler's requestTx or requestTxLen at SERVER_TXN, which pumps the response
			// on a later task, so an answer it started at once is seen.
			ServerResponse current = this.response;
			context.executor().execute(() -> sendContinue(context, current));
		}
	}

	// The pseudo-headers every request but a CONNECT must carry (RFC 9113 section 8.3.1) that this
	// one lacks, or null: a request without them is malformed, as libwebsockets also rules.
	private static @Nullable String missingPseudoHeaders(@Nullable CharSequence method, @Nullable CharSequence path,
			@Nullable CharSequence scheme) {
		StringJoiner missing = new StringJoiner(", ");
		if (method == null) {
			missing.add(":method");
		}
		if (scheme == null) {
			missing.add(":scheme");
		}
		if (path == null) {
			missing.add(":path");
		}
		return (missing.length() > 0) ? missing.toString() : null;
	}

	// The value of an expect field other than 100-continue, or null when there is none.
	private static @Nullable CharSequence unsupportedExpectation(Http2Headers headers) {
		for (CharSequence value : headers.getAll(HttpHeaderNames.EXPECT)) {
			if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(value.toString().trim())) {
				return value;
			}
		}
		return null;
	}

	/**
	 * Tells the client to send the body it holds back ({@code expect: 100-continue}), unless the
	 * request is no longer being read or the handler has started its answer: RFC 9110 section
	 * 10.1.1 lets a server answer without reading the body, and a 100 after the final response
	 * HEADERS would be malformed (RFC 9113 section 8.1). A client that sends the body anyway is
	 * read as usual.
	 */
	private void sendContinue(ChannelHandlerContext context, @Nullable ServerResponse current) {
		if (!this.stopped && !this.requestDone && current != null && this.response == current && !current.started()
				&& context.channel().isActive()) {
			context.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("100"), false));
		}
	}

	private void onData(ChannelHandlerContext context, Http2DataFrame frame) {
		if (this.response == null || this.requestDone) {
			return;
		}
		ByteBuf data = frame.content();
		if (data.isReadable()) {
			int flags = this.somDelivered ? 0 : StreamFlags.SOM;
			this.somDelivered = true;
			if (stop(this.link.rx(data, flags))) {
				return;
			}
		}
		if (frame.isEndStream()) {
			endOfBody(context);
		}
	}

	private void endOfBody(ChannelHandlerContext context) {
		if (this.somDelivered && stop(this.link.rx(Unpooled.EMPTY_BUFFER, StreamFlags.EOM))) {
			return;
		}
		requestEnded(context);
	}

	private void requestEnded(ChannelHandlerContext context) {
		this.requestDone = true;
		cancelRequestTimer();
		ServerResponse current = this.response;
		context.executor().execute(() -> {
			if (current != null && !this.stopped && !this.link.responseRequested() && this.link.isActive()) {
				current.respondWithoutBody();
			}
		});
	}

	private boolean stop(StreamResult result) {
		if (result == StreamResult.DISCONNECT_ME || result == StreamResult.DESTROY_ME) {
			this.stopped = true;
			return true;
		}
		return false;
	}

	private void reject(ChannelHandlerContext context, int status, String reason, boolean requestComplete) {
		this.problems.problem(logger, "{}: refusing the request: {}", this.link.describe(), reason);
		this.stopped = true;
		cancelRequestTimer();
		context.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(Integer.toString(status)), true));
		if (!requestComplete) {
			// The answer is complete: the rest of the request is not wanted (RFC 9113 section 8.1).
			context.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
		}
		context.flush();
	}

	// A request must keep arriving: a stream whose request has had no frame for the handshake
	// timeout is reset, as the http/1.1 binding cuts off a slow request head. Once the request is
	// complete the handler decides how long the answer takes.
	private void armRequestTimer(ChannelHandlerContext context) {
		this.requestTimer.activity(context.executor());
	}

	private void requestStalled() {
		ChannelHandlerContext context = this.ctx;
		if (context != null && !this.requestDone && !this.stopped && context.channel().isActive()) {
			this.problems.problem(logger, "{}: cutting off the stream: no request frame within {} ms (slow client)",
					this.link.describe(), this.requestTimer.timeoutMillis());
			this.stopped = true;
			context.close();
		}
	}

	private void cancelRequestTimer() {
		this.requestTimer.cancel();
	}

	@Override
	public void requestWrite() {
		if (this.wsSession != null) {
			this.wsSession.requestWrite();
			return;
		}
		ServerResponse current = this.response;
		if (current != null && !this.stopped) {
			current.pump();
		}
	}

	@Override
	public void validityConfirmed() {
		if (this.wsSession != null) {
			this.wsSession.validityConfirmed();
		}
	}

	@Override
	public void close() {
		if (this.wsSession != null) {
			// The ws closing handshake, then END_STREAM.
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
	public void channelWritabilityChanged(ChannelHandlerContext context) {
		if (context.channel().isWritable()) {
			requestWrite();
		}
		context.fireChannelWritabilityChanged();
	}

	@Override
	public void channelInactive(ChannelHandlerContext context) {
		this.stopped = true;
		cancelRequestTimer();
		this.link.closed(false);
		context.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
		Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
		if (error != null) {
			// The client broke the protocol on this stream: reset it with the error's code (closing
			// alone would say CANCEL).
			this.problems.problem(logger, "{}: resetting the stream: {}", this.link.describe(), cause.getMessage());
			this.stopped = true;
			context.writeAndFlush(new DefaultHttp2ResetFrame(error.error()));
		}
		else {
			logger.debug("{}: h2 stream failed: {}", this.link.describe(), cause.toString());
		}
		context.close();
	}

}
