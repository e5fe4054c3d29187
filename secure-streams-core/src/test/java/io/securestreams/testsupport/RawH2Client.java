package io.securestreams.testsupport;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * An h2 client written frame by frame with Netty's frame reader and writer, for hostile clients a
 * conforming codec will not play: it sends the preface and its SETTINGS, acknowledges the
 * server's SETTINGS only when told to, and then writes whatever frames a test gives it (resets
 * right after HEADERS, CONTINUATION floods, PING floods, hand-made header blocks). What the server
 * sends is recorded as text in {@link #events}: {@code SETTINGS}, {@code HEADERS <id> <status>
 * end=<bool>}, {@code RST <id> <code>}, {@code GOAWAY <code>}, {@code CLOSED}; DATA bytes are
 * counted in {@link #dataBytes}. The header encoder ignores the server's header list size, so a
 * test can send more than it allows.
 */
public final class RawH2Client extends ByteToMessageDecoder {

	/** What the server sent, in order. */
	public final List<String> events = new CopyOnWriteArrayList<>();

	/** DATA payload bytes received, all streams together. */
	public final AtomicLong dataBytes = new AtomicLong();

	private final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(false);

	private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter(Http2HeadersEncoder.NEVER_SENSITIVE,
			true);

	private final Http2Settings settings;

	private final boolean ackSettings;

	private final Channel channel;

	private ChannelHandlerContext ctx;

	private int nextStreamId = 1;

	private RawH2Client(EventLoopGroup group, SocketAddress server, Http2Settings settings, boolean ackSettings,
			int receiveBuffer) throws InterruptedException {
		this.settings = settings;
		this.ackSettings = ackSettings;
		Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(this);
		if (receiveBuffer > 0) {
			bootstrap.option(ChannelOption.SO_RCVBUF, receiveBuffer).option(ChannelOption.AUTO_READ, false);
		}
		this.channel = bootstrap.connect(server).sync().channel();
	}

	/**
	 * Connects, sends the preface and {@code settings}.
	 * @param group the client's event loop
	 * @param server the server
	 * @param settings the client's SETTINGS
	 * @param ackSettings whether to acknowledge the server's SETTINGS (a hostile client may never)
	 * @return the connected client
	 * @throws InterruptedException when interrupted
	 */
	public static RawH2Client connect(EventLoopGroup group, SocketAddress server, Http2Settings settings,
			boolean ackSettings) throws InterruptedException {
		return new RawH2Client(group, server, settings, ackSettings, 0);
	}

	/**
	 * Connects a client that reads nothing the server sends (so it never acknowledges the
	 * server's SETTINGS either), with a small receive buffer so the server's answers back up.
	 * @param group the client's event loop
	 * @param server the server
	 * @param settings the client's SETTINGS
	 * @return the connected client
	 * @throws InterruptedException when interrupted
	 */
	public static RawH2Client connectNotReading(EventLoopGroup group, SocketAddress server, Http2Settings settings)
			throws InterruptedException {
		return new RawH2Client(group, server, settings, false, 4096);
	}

	/** Writes frames from the client's event loop. */
	@FunctionalInterface
	public interface Frames {

		/**
		 * Writes frames (flushed afterwards).
		 * @param writer the frame writer
		 * @param ctx where to write them
		 */
		void write(DefaultHttp2FrameWriter writer, ChannelHandlerContext ctx);

	}

	/**
	 * Writes and flushes frames, and waits until they were handed to the socket.
	 * @param frames the frames
	 * @throws Exception when the write fails or the connection is closed
	 */
	public void send(Frames frames) throws Exception {
		this.channel.eventLoop().submit(() -> {
			frames.write(this.writer, this.ctx);
			this.ctx.flush();
		}).get(10, TimeUnit.SECONDS);
	}

	/**
	 * Returns the id for the next stream the client opens.
	 * @return an odd stream id, higher than the last one
	 */
	public int nextStreamId() {
		int id = this.nextStreamId;
		this.nextStreamId += 2;
		return id;
	}

	/**
	 * Returns request headers.
	 * @param method the method
	 * @param path the path
	 * @return {@code :method}, {@code :path}, {@code :scheme} and {@code :authority}
	 */
	public static Http2Headers request(String method, String path) {
		return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("127.0.0.1");
	}

	/**
	 * Sends a GET with END_STREAM on a new stream.
	 * @param path the path
	 * @return the stream id
	 * @throws Exception when the write fails
	 */
	public int get(String path) throws Exception {
		int id = nextStreamId();
		send((writer, context) -> writer.writeHeaders(context, id, request("GET", path), 0, true,
				context.newPromise()));
		return id;
	}

	/**
	 * Returns whether the connection is open.
	 * @return {@code true} while it is
	 */
	public boolean isActive() {
		return this.channel.isActive();
	}

	/**
	 * Returns the connection's channel.
	 * @return the channel
	 */
	public Channel channel() {
		return this.channel;
	}

	/**
	 * Closes the connection.
	 */
	public void close() {
		this.channel.close().syncUninterruptibly();
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
	}

	@Override
	public void channelActive(ChannelHandlerContext context) throws Exception {
		context.write(Http2CodecUtil.connectionPrefaceBuf());
		this.writer.writeSettings(context, this.settings, context.newPromise());
		context.flush();
		super.channelActive(context);
	}

	@Override
	protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) throws Exception {
		this.reader.readFrame(context, in, new Recorder());
	}

	@Override
	public void channelInactive(ChannelHandlerContext context) throws Exception {
		this.events.add("CLOSED");
		super.channelInactive(context);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
		// A reset connection: the server cut the client off, which the tests look for as CLOSED.
		context.close();
	}

	private final class Recorder extends Http2FrameAdapter {

		@Override
		public void onSettingsRead(ChannelHandlerContext context, Http2Settings received) {
			RawH2Client.this.events.add("SETTINGS");
			if (RawH2Client.this.ackSettings) {
				RawH2Client.this.writer.writeSettingsAck(context, context.newPromise());
				context.flush();
			}
		}

		@Override
		public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers, int padding,
				boolean endStream) {
			RawH2Client.this.events.add("HEADERS " + streamId + " " + headers.status() + " end=" + endStream);
		}

		@Override
		public void onHeadersRead(ChannelHandlerContext context, int streamId, Http2Headers headers,
				int streamDependency, short weight, boolean exclusive, int padding, boolean endStream) {
			onHeadersRead(context, streamId, headers, padding, endStream);
		}

		@Override
		public int onDataRead(ChannelHandlerContext context, int streamId, ByteBuf data, int padding,
				boolean endOfStream) {
			RawH2Client.this.dataBytes.addAndGet(data.readableBytes());
			return data.readableBytes() + padding;
		}

		@Override
		public void onRstStreamRead(ChannelHandlerContext context, int streamId, long errorCode) {
			RawH2Client.this.events.add("RST " + streamId + " " + errorCode);
		}

		@Override
		public void onGoAwayRead(ChannelHandlerContext context, int lastStreamId, long errorCode, ByteBuf debugData) {
			RawH2Client.this.events.add("GOAWAY " + errorCode);
		}

	}

}
