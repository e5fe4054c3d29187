package io.securestreams.server.h1;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.jspecify.annotations.Nullable;

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
			return new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG,
					"request line longer than " + maxHeaderSize + " bytes");
		}
		return new Rejection(HttpResponseStatus.BAD_REQUEST, "malformed http request: " + cause.getMessage());
	}

	/**
	 * Checks a request's HTTP version. Only major version 1 is spoken here: RFC 9110 section 6.2
	 * forbids answering in a version the server does not conform to, so another one (an h2
	 * preface, {@code PRI * HTTP/2.0}, sent to an http/1.1 listener) gets 505 before the request
	 * reaches the handler. A later 1.x minor version is served as 1.1 (section 2.5), which
	 * {@link #servedVersion} arranges.
	 * @param request the request head
	 * @return the rejection, or {@code null} when the request may be served
	 */
	static @Nullable Rejection forVersion(HttpRequest request) {
		HttpVersion version = request.protocolVersion();
		if (version.majorVersion() == 1) {
			return null;
		}
		return new Rejection(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
				"HTTP version not supported: " + version.text());
	}

	/**
	 * Makes a request of a later HTTP/1.x minor version (1.2, say) an HTTP/1.1 request, the
	 * highest this server speaks (RFC 9110 section 2.5), so that it needs its Host as 1.1 does
	 * and is answered as 1.1: the response takes its version from the request.
	 * @param request the request head, of major version 1
	 */
	static void servedVersion(HttpRequest request) {
		if (request.protocolVersion().minorVersion() > 1) {
			request.setProtocolVersion(HttpVersion.HTTP_1_1);
		}
	}

	/**
	 * Checks a request's Host header as RFC 9112 section 3.2 requires of a server (400 otherwise):
	 * exactly one in an HTTP/1.1 request (HTTP/1.0 requests need none), and never more than one in
	 * any request: with two, the server and a proxy or cache in front of it may each take another
	 * host; and its value, when {@code checkValue}, must be a {@code uri-host [ ":" port ]} (or
	 * empty) for the same reason.
	 * @param request the request head
	 * @param checkValue whether to check the value: not on a Unix socket listener, where there is
	 * no host to name and libwebsockets' clients send the endpoint ({@code +/path}) as Host
	 * @return the rejection, or {@code null} when the request may be served
	 */
	static @Nullable Rejection forHost(HttpRequest request, boolean checkValue) {
		List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
		if (hosts.size() > 1) {
			return new Rejection(HttpResponseStatus.BAD_REQUEST, hosts.size() + " Host headers in one request");
		}
		if (hosts.isEmpty() && HttpVersion.HTTP_1_1.equals(request.protocolVersion())) {
			return new Rejection(HttpResponseStatus.BAD_REQUEST, "no Host header in an HTTP/1.1 request");
		}
		if (checkValue && !hosts.isEmpty() && !HostValue.isValid(hosts.get(0))) {
			return new Rejection(HttpResponseStatus.BAD_REQUEST,
					"Host header '" + hosts.get(0) + "' is no host with an optional port");
		}
		return null;
	}

	/**
	 * Checks a request's expectation: {@code 100-continue} is the only one RFC 9110 section
	 * 10.1.1 defines, and any other cannot be met, so it is answered 417 as the RFC allows (and
	 * as Netty's aggregating server handlers do). Expect in an HTTP/1.0 request is ignored, as
	 * that section asks for {@code 100-continue}.
	 * @param request the request head
	 * @return the rejection, or {@code null} when the request may be served
	 */
	static @Nullable Rejection forExpectation(HttpRequest request) {
		String expect = request.headers().get(HttpHeaderNames.EXPECT);
		if (expect == null || request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) < 0
				|| HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
			return null;
		}
		return new Rejection(HttpResponseStatus.EXPECTATION_FAILED, "unsupported expectation: Expect '" + expect + "'");
	}

	/**
	 * Checks a request's Transfer-Encoding as RFC 9112 section 6.3 asks of a server. Netty's
	 * decoder only looks for {@code chunked} somewhere in the field and frames any other request
	 * by its Content-Length (or as empty), so a field such as {@code xchunked}, {@code gzip} or a
	 * second field line ending in {@code identity} would make it read the body as the next
	 * request, where a proxy in front may have read it as body: request smuggling.
	 * @param headers the request headers
	 * @return 400 when the field is present but {@code chunked} is not its final coding (the body
	 * length cannot be known), 501 when other codings come before it (this server does not decode
	 * them), {@code null} when there is no field or it is {@code chunked} alone
	 */
	static @Nullable Rejection forTransferEncoding(HttpHeaders headers) {
		List<String> fields = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
		if (fields.isEmpty()) {
			return null;
		}
		List<String> codings = new ArrayList<>();
		for (String field : fields) {
			for (String element : field.split(",")) {
				// Empty list elements are allowed and ignored (RFC 9110 section 5.6.1).
				if (!element.isBlank()) {
					codings.add(element.trim());
				}
			}
		}
		String field = String.join(", ", fields);
		if (codings.isEmpty() || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(codings.size() - 1))) {
			return new Rejection(HttpResponseStatus.BAD_REQUEST,
					"request body length unknown: Transfer-Encoding '" + field + "' does not end in chunked");
		}
		if (codings.size() > 1) {
			return new Rejection(HttpResponseStatus.NOT_IMPLEMENTED,
					"transfer coding not supported: Transfer-Encoding '" + field + "'");
		}
		return null;
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
