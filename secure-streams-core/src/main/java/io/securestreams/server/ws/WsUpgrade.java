package io.securestreams.server.ws;

import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.flow.FlowControlHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.ws.WsSession;
import io.securestreams.server.ServerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades an accepted http/1.1 connection to ws: answers the opening handshake (naming the
 * streamtype's {@code ws_subprotocol} when the client offered it; a client offering only other
 * subprotocols gets an answer without one, which it will refuse), replaces the http handlers
 * with a {@link WsSession} and reports SERVER_UPGRADE to the accepted stream (libwebsockets'
 * h1 server sends it to the listener instead; reporting it on the stream that carries the
 * connection is what its h2 server does and what a handler can act on).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class WsUpgrade {

	private static final Logger logger = LoggerFactory.getLogger(WsUpgrade.class);

	private static final String WATCH_HANDLER = "http-watch";

	private WsUpgrade() {
	}

	/**
	 * Starts the upgrade of a connection whose upgrade request has been read completely.
	 * @param channel the connection
	 * @param request the upgrade request's head
	 * @param link the accepted stream
	 * @param httpHandler the http handler the session replaces
	 * @param session the session that will carry the connection (from {@link #newSession}); frames
	 * the client sent with its request reach the http handler during this call, which holds them
	 * in it
	 * @return {@code true} when the upgrade is under way, {@code false} when the request was
	 * refused (the connection is then being closed)
	 */
	public static boolean upgrade(Channel channel, HttpRequest request, ServerLink link, ChannelHandler httpHandler,
			WsSession session) {
		WebSocketDecoderConfig decoder = decoderConfig(link);
		String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
		String version = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
		// Netty's factory takes a request without a version for the draft-75/76 (hixie) handshake,
		// whose framing is neither RFC 6455's nor libwebsockets'; refused like an unknown version.
		WebSocketServerHandshaker handshaker = (version == null) ? null
				: new WebSocketServerHandshakerFactory(location, link.policy().ws().subprotocol(), decoder)
					.newHandshaker(request);
		if (handshaker == null) {
			logger.warn("{}: cutting off the connection: unsupported ws version {}", link.describe(),
					(version != null) ? version : "(no sec-websocket-version)");
			WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel)
				.addListener(ChannelFutureListener.CLOSE);
			return false;
		}
		String invalid = UpgradeRequestCheck.problem(request);
		if (invalid != null) {
			refuse(channel, link, invalid);
			return false;
		}
		DefaultFullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
				request.uri(), Unpooled.EMPTY_BUFFER, offersOnOneLine(request.headers()), EmptyHttpHeaders.INSTANCE);
		ChannelFuture handshake;
		try {
			handshake = handshaker.handshake(channel, full);
		}
		catch (WebSocketHandshakeException ex) {
			refuse(channel, link, ex.getMessage());
			return false;
		}
		handshake.addListener((ChannelFuture done) -> {
			if (!done.isSuccess()) {
				logger.debug("{}: ws upgrade failed: {}", link.describe(), String.valueOf(done.cause()));
				session.dropHeld();
				channel.close();
				return;
			}
			ChannelPipeline pipeline = channel.pipeline();
			removeIfPresent(pipeline, FlowControlHandler.class);
			if (pipeline.get(WATCH_HANDLER) != null) {
				pipeline.remove(WATCH_HANDLER);
			}
			pipeline.replace(httpHandler, "ws", session);
			upgraded(channel, link, session);
		});
		return true;
	}

	// RFC 6455 section 11.3.4: Sec-WebSocket-Protocol may come on several lines, together one list.
	// Netty's handshaker reads the first line only, and so answered a client whose accepted offer
	// was on a later line without a subprotocol, which that client then refuses.
	private static HttpHeaders offersOnOneLine(HttpHeaders headers) {
		List<String> lines = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		if (lines.size() < 2) {
			return headers;
		}
		return headers.copy().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(",", lines));
	}

	private static void refuse(Channel channel, ServerLink link, String reason) {
		logger.warn("{}: cutting off the connection: invalid ws upgrade request: {}", link.describe(), reason);
		FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
				Unpooled.EMPTY_BUFFER);
		answer.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		channel.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
	}

	/**
	 * Returns how received ws frames are decoded on an accepted stream: at most the limits' frame
	 * payload, no extensions (none are negotiated). A protocol violation is answered by the
	 * {@link WsSession} (a close frame with the violation's status code, then the connection
	 * closes), not by the decoder.
	 * @param link the accepted stream
	 * @return the decoder settings
	 */
	public static WebSocketDecoderConfig decoderConfig(ServerLink link) {
		// Netty's decoder answers a violation inside a received close frame (an invalid status
		// code) with no close frame at all, though RFC 6455 5.5.1 and 7.1.7 want one (1002), as
		// libwebsockets sends.
		return WebSocketDecoderConfig.newBuilder()
			.maxFramePayloadLength(link.limits().maxWsFramePayload())
			.allowExtensions(false)
			.closeOnProtocolViolation(false)
			.build();
	}

	/**
	 * Creates the message session of an accepted stream; the stream reports DISCONNECTED when
	 * its channel closes.
	 * @param link the accepted stream
	 * @return the session, to be added to the channel's pipeline after the ws frame codec
	 */
	public static WsSession newSession(ServerLink link) {
		return new WsSession(link, () -> link.closed(false));
	}

	/**
	 * Finishes an upgrade once the answer is on its way and the session is in the pipeline:
	 * reports SERVER_UPGRADE (where the handler may switch to a message handler) and starts the
	 * session unless the handler asked to disconnect.
	 * @param channel the channel that now carries ws frames
	 * @param link the accepted stream
	 * @param session its session
	 */
	public static void upgraded(Channel channel, ServerLink link, WsSession session) {
		if (!link.isActive()) {
			// The stream was destroyed while the answer was being written: its close could not
			// reach a session that was not in the pipeline yet.
			channel.close();
			return;
		}
		StreamResult result = link.state(StreamState.SERVER_UPGRADE);
		if (result != StreamResult.DISCONNECT_ME && result != StreamResult.DESTROY_ME) {
			session.start(channel);
		}
	}

	private static void removeIfPresent(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
		if (pipeline.get(type) != null) {
			pipeline.remove(type);
		}
	}

}
