package io.securestreams.server.h1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.securestreams.server.ServerLink;
import io.securestreams.server.http.ServerResponse;
import io.securestreams.transport.WriteStallWatch;

/**
 * The http/1.1 form of a {@link ServerResponse}: {@code content-length} when the body length is
 * known (unless {@code http_no_content_length}), chunked transfer encoding otherwise, or a
 * close-delimited body for an HTTP/1.0 client; the connection is kept alive when the request
 * allows it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1Response extends ServerResponse {

	private final HttpVersion version;

	private boolean keepAlive;

	H1Response(ServerLink link, Channel channel, HttpRequest request, Runnable onDone, WriteStallWatch stall) {
		super(link, channel, HttpMethod.HEAD.equals(request.method()), onDone, stall);
		this.version = request.protocolVersion();
		this.keepAlive = HttpUtil.isKeepAlive(request);
	}

	@Override
	protected void writeHead(int status, long contentLength, boolean last) {
		HttpResponse response = new DefaultHttpResponse(this.version, HttpResponseStatus.valueOf(status));
		forEachMetadataHeader(response.headers()::set);
		// A 204 or 304 ends with its head: neither a transfer coding nor a close tells where.
		boolean delimited = isBodiless(status);
		if (sendsContentLength(contentLength)) {
			HttpUtil.setContentLength(response, contentLength);
		}
		else if (!delimited && this.version.isKeepAliveDefault()) {
			HttpUtil.setTransferEncodingChunked(response, true);
		}
		else if (!delimited) {
			this.keepAlive = false;
		}
		HttpUtil.setKeepAlive(response, this.keepAlive);
		this.channel.write(response);
	}

	/**
	 * Returns whether the connection closes after this response (the request asked for it, or
	 * HTTP/1.0 without keep-alive, or a body whose end only the close can tell), so that no
	 * further request on the connection is read: RFC 9112 9.6 forbids processing one.
	 * @return {@code true} when the connection closes after the response
	 */
	boolean closesConnection() {
		return !this.keepAlive;
	}

	@Override
	protected void writeBody(ByteBuf data, boolean last) {
		this.channel.write(new DefaultHttpContent(data));
	}

	@Override
	protected void finish() {
		if (this.keepAlive) {
			this.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
		}
		else {
			this.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
		}
	}

	@Override
	protected void abort() {
		this.channel.close();
	}

}
