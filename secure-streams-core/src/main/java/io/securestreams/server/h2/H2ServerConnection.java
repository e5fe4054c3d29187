package io.securestreams.server.h2;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.server.StreamAcceptor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection side of an h2 server connection, between the frame codec and the stream
 * multiplexer: it counts the open streams, closes the connection (GOAWAY first) once it has
 * carried no stream for the handshake timeout, as the http/1.1 binding closes an idle kept-alive
 * connection, and logs why a client was cut off for breaking the protocol. An error of one
 * stream goes on to the multiplexer, which resets that stream alone.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2ServerConnection extends ChannelInboundHandlerAdapter {

	/** Streams one client may have open at once. */
	static final int MAX_CONCURRENT_STREAMS = 100;

	/**
	 * Request body bytes a client may send ahead on one stream (Netty's codec grows the connection
	 * window to about twice this). Request bodies are handed to the handler as they arrive, never
	 * queued, so a window this size costs no memory; with h2's default 64 KiB a client that holds
	 * back small writes (Nagle) waits for delayed ACKs on every window and an 8 MiB upload took ten
	 * seconds on loopback.
	 */
	static final int STREAM_WINDOW = 1024 * 1024;

	private static final String HANDLER_NAME = "h2-connection";

	private static final Logger logger = LoggerFactory.getLogger(H2ServerConnection.class);

	private final StreamAcceptor acceptor;

	private final long idleMillis;

	private @Nullable ChannelHandlerContext ctx;

	private @Nullable ScheduledFuture<?> idleTimer;

	private int openStreams;

	private final StreamProblemLog streamProblems = new StreamProblemLog();

	private boolean flushScheduled;

	private final Runnable flush = () -> {
		this.flushScheduled = false;
		ChannelHandlerContext context = this.ctx;
		if (context != null) {
			context.flush();
		}
	};

	private H2ServerConnection(StreamAcceptor acceptor) {
		this.acceptor = acceptor;
		this.idleMillis = acceptor.limits().handshakeTimeout().toMillis();
	}

	/**
	 * Adds the h2 codec, this handler and the multiplexer to a connection's pipeline.
	 * @param pipeline the connection's pipeline, after any TLS handler
	 * @param binding the binding that serves each stream
	 * @param acceptor creates the accepted streams
	 */
	static void addTo(ChannelPipeline pipeline, H2ServerProtocol binding, StreamAcceptor acceptor) {
		H2ServerConnection connection = new H2ServerConnection(acceptor);
		Http2Settings settings = Http2Settings.defaultSettings()
			.maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
			.initialWindowSize(STREAM_WINDOW)
			.maxHeaderListSize(acceptor.limits().maxHttpHeaderSize());
		if (acceptor.policy().ws().subprotocol() != null) {
			// SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441): clients may upgrade a stream to ws by
			// an extended CONNECT, as the http/1.1 binding accepts Upgrade requests.
			settings.connectProtocolEnabled(true);
		}
		Http2FrameCodec codec = ServerFrameCodec.builder(connection).initialSettings(settings).build();
		codec.connection().addListener(new Http2ConnectionAdapter() {
			@Override
			public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
				connection.goAwaySent(errorCode, debugData);
			}
		});
		pipeline.addLast("h2", codec)
			.addLast(HANDLER_NAME, connection)
			.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel stream) {
					connection.streamOpened(stream);
					// Ready at once: the connection's TLS is done and the stream's frames reach its
					// handlers only once they are in place.
					acceptor.accept(stream, binding, true);
				}
			}));
	}

	/**
	 * Returns the handler of an h2 server connection.
	 * @param connection the connection's channel
	 * @return its handler
	 */
	static H2ServerConnection of(Channel connection) {
		return (H2ServerConnection) connection.pipeline().get(HANDLER_NAME);
	}

	/**
	 * Flushes the connection after the event-loop tasks already queued: responses are written
	 * from tasks that follow the read of their requests, and one flush for all the responses of
	 * a read saves a system call per response.
	 */
	/**
	 * Returns where the streams of this connection log the problems their client provokes.
	 * @return the connection's stream problem log
	 */
	StreamProblemLog streamProblems() {
		return this.streamProblems;
	}

	/**
	 * Returns a connection as the logs name it.
	 * @param channel the connection's channel
	 * @return its description
	 */
	String describe(Channel channel) {
		return this.acceptor.describe(channel);
	}

	void flushSoon() {
		ChannelHandlerContext context = this.ctx;
		if (!this.flushScheduled && context != null) {
			this.flushScheduled = true;
			context.executor().execute(this.flush);
		}
	}

	@Override
	public void handlerAdded(ChannelHandlerContext context) {
		this.ctx = context;
		armIdleTimer();
	}

	private void streamOpened(Channel stream) {
		this.openStreams++;
		cancelIdleTimer();
		stream.closeFuture().addListener((closed) -> {
			if (--this.openStreams == 0) {
				armIdleTimer();
			}
		});
	}

	private void armIdleTimer() {
		ChannelHandlerContext context = this.ctx;
		if (context == null || this.idleTimer != null || !context.channel().isActive()) {
			return;
		}
		this.idleTimer = context.executor().schedule(() -> {
			this.idleTimer = null;
			if (this.openStreams == 0 && context.channel().isActive()) {
				logger.debug("{}: closing the h2 connection, idle for {} ms", this.acceptor.describe(context.channel()),
						this.idleMillis);
				context.channel().close();
			}
		}, this.idleMillis, TimeUnit.MILLISECONDS);
	}

	private void cancelIdleTimer() {
		ScheduledFuture<?> timer = this.idleTimer;
		if (timer != null) {
			timer.cancel(false);
			this.idleTimer = null;
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext context) {
		cancelIdleTimer();
		this.streamProblems.connectionClosed(logger, this.acceptor.describe(context.channel()));
		context.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
		if (cause instanceof Http2FrameStreamException) {
			// An error of one stream: the multiplexer resets that stream only.
			context.fireExceptionCaught(cause);
			return;
		}
		if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
			// The codec goes on to send GOAWAY with the error's code and close; goAwaySent logs it.
			return;
		}
		logger.warn("{}: cutting off the connection: {}", this.acceptor.describe(context.channel()),
				cause.getMessage());
		context.close();
	}

	/**
	 * Logs why the codec cut the client off. Every connection error ends in a GOAWAY, also those
	 * the codec finds while writing (too many control frames queued for a client that does not
	 * read, too many resets the client provoked), which never reach {@link #exceptionCaught}.
	 * @param errorCode the GOAWAY's error code
	 * @param debugData the GOAWAY's debug data: the error's message
	 */
	private void goAwaySent(long errorCode, ByteBuf debugData) {
		ChannelHandlerContext context = this.ctx;
		if (errorCode == Http2Error.NO_ERROR.code() || context == null) {
			// A graceful close: idle, or the listener shutting down.
			return;
		}
		Http2Error error = Http2Error.valueOf(errorCode);
		logger.warn("{}: cutting off the connection: {} ({})", this.acceptor.describe(context.channel()),
				debugData.toString(StandardCharsets.UTF_8), (error != null) ? error : errorCode);
	}

}
