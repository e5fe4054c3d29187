package io.securestreams.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * An h2 server written frame by frame with Netty's frame reader and writer, for the misbehaviour
 * a conforming server (and Netty's own codec) will not produce: it reads the client preface,
 * sends its SETTINGS, acknowledges the client's, and hands each request, reset and GOAWAY to the
 * subclass, which answers with {@link #writer()}.
 */
public abstract class FrameByFrameH2Server extends ByteToMessageDecoder {

	private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();

	private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();

	private boolean prefaceRead;

	/**
	 * Returns the SETTINGS the server opens with.
	 * @return the settings
	 */
	protected abstract Http2Settings settings();

	/**
	 * A request's HEADERS arrived.
	 * @param ctx the connection
	 * @param streamId its stream
	 * @param headers its headers
	 */
	protected abstract void onRequest(ChannelHandlerContext ctx, int streamId, Http2Headers headers);

	/**
	 * A DATA frame of a request arrived. The server grants no window by itself: a subclass that
	 * reads request bodies beyond the initial windows sends WINDOW_UPDATE frames of its own.
	 * @param ctx the connection
	 * @param streamId its stream
	 * @param data the frame's payload, released after this returns
	 * @param endOfStream whether it ends the request
	 */
	protected void onData(ChannelHandlerContext ctx, int streamId, ByteBuf data, boolean endOfStream) {
	}

	/**
	 * The client reset a stream or sent GOAWAY.
	 * @param errorCode the error code it gave
	 */
	protected void onClientError(long errorCode) {
	}

	/**
	 * The client's SETTINGS arrived (they are acknowledged after this).
	 * @param settings what the client announced
	 */
	protected void onClientSettings(Http2Settings settings) {
	}

	/**
	 * Returns the frame writer for answers.
	 * @return the writer
	 */
	protected DefaultHttp2FrameWriter writer() {
		return this.writer;
	}

	/**
	 * Answers a request with 200 and the body {@code hello}.
	 * @param ctx the connection
	 * @param streamId the request's stream
	 */
	protected void answerHello(ChannelHandlerContext ctx, int streamId) {
		Http2Headers headers = new DefaultHttp2Headers().status("200").setInt("content-length", 5);
		this.writer.writeHeaders(ctx, streamId, headers, 0, false, ctx.newPromise());
		this.writer.writeData(ctx, streamId, Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII), 0, true,
				ctx.newPromise());
		ctx.flush();
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		this.writer.writeSettings(ctx, settings(), ctx.newPromise());
		ctx.flush();
		super.channelActive(ctx);
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
		if (!this.prefaceRead) {
			ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
			try {
				if (in.readableBytes() < preface.readableBytes()) {
					return;
				}
				in.skipBytes(preface.readableBytes());
			}
			finally {
				preface.release();
			}
			this.prefaceRead = true;
		}
		this.reader.readFrame(ctx, in, new Http2FrameAdapter() {
			@Override
			public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
				onClientSettings(settings);
				FrameByFrameH2Server.this.writer.writeSettingsAck(c, c.newPromise());
				c.flush();
			}

			@Override
			public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers, int padding,
					boolean endOfStream) {
				onRequest(c, streamId, headers);
			}

			@Override
			public void onHeadersRead(ChannelHandlerContext c, int streamId, Http2Headers headers,
					int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream) {
				onRequest(c, streamId, headers);
			}

			@Override
			public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding,
					boolean endOfStream) {
				onData(c, streamId, data, endOfStream);
				return data.readableBytes() + padding;
			}

			@Override
			public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
				onClientError(errorCode);
			}

			@Override
			public void onGoAwayRead(ChannelHandlerContext c, int lastStreamId, long errorCode, ByteBuf debugData) {
				onClientError(errorCode);
			}
		});
	}

}
