package io.securestreams.server.h1;

import java.util.ArrayDeque;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import org.jspecify.annotations.Nullable;

/**
 * The http/1.1 server codec: Netty's request decoder and response encoder as two handlers, paired
 * as Netty's {@code HttpServerCodec} pairs them (each response takes the method of the oldest
 * request not yet answered: a HEAD's response is encoded without a body, a CONNECT's 2xx without
 * Transfer-Encoding; after a request with both Transfer-Encoding and Content-Length the
 * connection closes when its response ends), and able to tell what that codec keeps to itself:
 * whether the decoder holds bytes of a request it has not finished decoding. The request timer
 * needs that to tell a slow client from an idle one when a pipelined head arrived in part with
 * the request before it, so that no bytes reach the connection after the previous response.
 * Netty's ws handshaker finds the two handlers by their types, as it finds its own codec.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1ServerCodec {

	private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

	private final Decoder decoder;

	private final Encoder encoder = new Encoder();

	private boolean closeAfterResponse;

	private boolean midRequest;

	/**
	 * Creates the codec of one connection.
	 * @param config the decoder's settings
	 */
	H1ServerCodec(HttpDecoderConfig config) {
		this.decoder = new Decoder(config);
	}

	/**
	 * Returns the request decoder, for the pipeline.
	 * @return the decoder
	 */
	ChannelHandler decoder() {
		return this.decoder;
	}

	/**
	 * Returns the response encoder, for the pipeline.
	 * @return the encoder
	 */
	ChannelHandler encoder() {
		return this.encoder;
	}

	/**
	 * Returns whether the decoder holds bytes of a request it has not decoded to its end (part of
	 * a head, or of a body), whether it has consumed them or keeps them for more.
	 * @return {@code true} when it does
	 */
	boolean holdsPartialRequest() {
		return this.midRequest || this.decoder.buffered() > 0;
	}

	private final class Decoder extends HttpRequestDecoder {

		Decoder(HttpDecoderConfig config) {
			super(config);
		}

		int buffered() {
			return actualReadableBytes();
		}

		@Override
		protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
			int from = buffer.readerIndex();
			int oldSize = out.size();
			super.decode(ctx, buffer, out);
			int size = out.size();
			for (int i = oldSize; i < size; i++) {
				if (out.get(i) instanceof HttpRequest request) {
					H1ServerCodec.this.methods.add(request.method());
				}
			}
			if (size > oldSize) {
				H1ServerCodec.this.midRequest = !(out.get(size - 1) instanceof LastHttpContent);
			}
			else if (consumedText(buffer, from)) {
				// Lines of a head taken in without a message yet (the line breaks the decoder skips
				// between requests are no part of one).
				H1ServerCodec.this.midRequest = true;
			}
		}

		private static boolean consumedText(ByteBuf buffer, int from) {
			for (int i = from; i < buffer.readerIndex(); i++) {
				byte b = buffer.getByte(i);
				if (b != '\r' && b != '\n' && b != ' ' && b != '\t') {
					return true;
				}
			}
			return false;
		}

		@Override
		protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
			super.handleTransferEncodingChunkedWithContentLength(message);
			H1ServerCodec.this.closeAfterResponse = true;
		}

	}

	private final class Encoder extends HttpResponseEncoder {

		private @Nullable HttpMethod method;

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
			ChannelPromise written = promise;
			if (H1ServerCodec.this.closeAfterResponse && msg instanceof LastHttpContent) {
				H1ServerCodec.this.closeAfterResponse = false;
				written = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
			}
			super.write(ctx, msg, written);
		}

		@Override
		protected boolean isContentAlwaysEmpty(HttpResponse msg) {
			this.method = H1ServerCodec.this.methods.poll();
			return HttpMethod.HEAD.equals(this.method) || super.isContentAlwaysEmpty(msg);
		}

		@Override
		protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
			if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(this.method)
					&& msg.status().codeClass() == HttpStatusClass.SUCCESS) {
				// RFC 9110 section 9.3.6: a 2xx to CONNECT has no content, the tunnel follows it.
				msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
				return;
			}
			super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
		}

	}

}
