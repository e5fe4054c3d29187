package io.securestreams.server.h2;

import java.util.Locale;
import java.util.Set;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.securestreams.server.ServerLink;
import io.securestreams.server.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The h2 form of a {@link ServerResponse}: a HEADERS frame with {@code :status}, the metadata
 * headers (names lower-cased, as h2 requires) and {@code content-length} when known, then DATA
 * frames; the last frame ends the stream. Connection-specific headers, which h2 forbids, are left
 * out.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2Response extends ServerResponse {

	private static final Logger logger = LoggerFactory.getLogger(H2Response.class);

	private static final Set<String> CONNECTION_HEADERS = Set.of("connection", "keep-alive", "proxy-connection",
			"transfer-encoding", "upgrade", "te");

	private final Runnable flusher;

	/**
	 * Creates the response of one h2 stream.
	 * @param link the accepted stream
	 * @param stream the h2 stream's channel
	 * @param headRequest whether the request was HEAD
	 * @param flusher flushes the connection soon, once for every response written meanwhile
	 */
	H2Response(ServerLink link, Channel stream, boolean headRequest, Runnable flusher) {
		super(link, stream, headRequest, () -> {
		}, stallWatch(link, H2Response::reset));
		this.flusher = flusher;
	}

	@Override
	protected void flush() {
		this.flusher.run();
	}

	@Override
	protected void writeHead(int status, long contentLength, boolean last) {
		Http2Headers headers = new DefaultHttp2Headers().status(Integer.toString(status));
		forEachMetadataHeader((name, value) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (CONNECTION_HEADERS.contains(lower)) {
				logger.debug("{}: leaving out '{}', a connection-specific header h2 forbids", this.link.describe(),
						name);
			}
			else {
				headers.set(lower, value);
			}
		});
		if (sendsContentLength(contentLength)) {
			headers.setLong("content-length", contentLength);
		}
		this.channel.write(new DefaultHttp2HeadersFrame(headers, last));
	}

	@Override
	protected void writeBody(ByteBuf data, boolean last) {
		this.channel.write(new DefaultHttp2DataFrame(data, last));
	}

	@Override
	protected void finish() {
		this.flusher.run();
	}

	@Override
	protected void abort() {
		reset(this.channel);
	}

	/**
	 * Resets an h2 stream (RST_STREAM CANCEL), which drops what is queued for it, and closes its
	 * channel. Netty's stream channel sends a reset of its own when closed, but only in some
	 * states (not once it has read the end of the request); and a stream closed that way with DATA
	 * queued for a window the client never opened left the connection serving no other stream
	 * (ResponseStallTests). The reset is written first, explicitly.
	 */
	static void reset(Channel stream) {
		if (stream.isActive()) {
			stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
		}
		stream.close();
	}

}
