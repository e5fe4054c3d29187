package io.securestreams.server.h1;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Why a request is refused and with which status; sends the answer and closes the connection.
 *
 * @param status the response status
 * @param reason the reason, for the log line
 * @author Secure Streams contributors
 * @since 0.1.0
 */
record Rejection(HttpResponseStatus status, String reason) {

	/**
	 * Classifies a failure of the http decoder.
	 * @param cause the decoder's failure
	 * @param maxHeaderSize the configured head size limit
	 * @return 431 for oversized headers, 414 for an oversized request line, 400 otherwise
	 */
	static Rejection forDecoderFailure(Throwable cause, int maxHeaderSize) {
		if (cause instanceof TooLongHttpHeaderException) {
			return new Rejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
					"request headers larger than " + maxHeaderSize + " bytes");
		}
		if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
			return new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
		}
		return new Rejection(HttpResponseStatus.BAD_REQUEST, "malformed http request: " + cause.getMessage());
	}

	/**
	 * Answers with an empty response of this status, then closes the connection.
	 * @param ctx the connection
	 */
	void answer(ChannelHandlerContext ctx) {
		FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, this.status, Unpooled.EMPTY_BUFFER);
		answer.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
	}

}
