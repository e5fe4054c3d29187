package io.securestreams.server.h2;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.securestreams.protocol.ws.WsSession;
import io.securestreams.server.ServerLink;
import io.securestreams.server.ws.WsSubprotocols;
import io.securestreams.server.ws.WsUpgrade;
import org.jspecify.annotations.Nullable;

/**
 * Upgrades one h2 stream to ws by an extended CONNECT (RFC 8441): {@code :method CONNECT},
 * {@code :protocol websocket}, {@code sec-websocket-version: 13}. The stream is answered
 * {@code :status 200} (naming the streamtype's {@code ws_subprotocol} when the client offered
 * it), its handler is replaced by a {@link DataFrameBridge}, the ws frame codec and the same
 * {@link WsSession} the http/1.1 upgrade uses, and SERVER_UPGRADE is reported, as on that path.
 * Where the http/1.1 upgrade answers a client that offered only other subprotocols without one
 * (leaving the client to give up), an h2 stream can refuse alone: such a client gets 400, as does
 * a CONNECT whose HEADERS end the client's side of the stream.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2WsUpgrade {

	private static final String WEBSOCKET = "websocket";

	private static final String VERSION = "13";

	private H2WsUpgrade() {
	}

	/**
	 * Returns whether a request is a CONNECT, which only a ws upgrade may use here.
	 * @param method the request's {@code :method}
	 * @return {@code true} for CONNECT
	 */
	static boolean isConnect(CharSequence method) {
		return HttpMethod.CONNECT.name().contentEquals(method);
	}

	/**
	 * Checks a CONNECT request.
	 * @param headers the request's headers
	 * @param endStream whether the HEADERS ended the client's side of the stream
	 * @param link the accepted stream
	 * @return why it is refused, or {@code null} when it is a ws upgrade this stream accepts
	 */
	static @Nullable String refusal(Http2Headers headers, boolean endStream, ServerLink link) {
		String subprotocol = link.policy().ws().subprotocol();
		CharSequence protocol = headers.get(Http2Headers.PseudoHeaderName.PROTOCOL.value());
		if (subprotocol == null) {
			return "CONNECT to a streamtype without ws_subprotocol";
		}
		if (protocol == null) {
			return "CONNECT without :protocol (only ws upgrades are served)";
		}
		if (!WEBSOCKET.contentEquals(protocol)) {
			return "extended CONNECT for :protocol '" + protocol + "', not websocket";
		}
		CharSequence version = headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
		if (version == null || !VERSION.contentEquals(version)) {
			return "unsupported ws version " + version;
		}
		if (endStream) {
			// The client could send no ws frame on the stream, not even its close frame (RFC 9113
			// section 8.5: END_STREAM is the end of the tunnel's bytes from that side).
			return "extended CONNECT with END_STREAM: the client ended the stream it asked to carry ws";
		}
		CharSequence offered = offered(headers);
		if (offered != null && WsSubprotocols.choose(offered, subprotocol) == null) {
			return "the client's ws subprotocols '" + offered + "' include none of '" + subprotocol + "'";
		}
		return null;
	}

	// Several fields are one comma-separated list (RFC 6455 section 11.3.4), as on http/1.1.
	private static @Nullable CharSequence offered(Http2Headers headers) {
		List<CharSequence> fields = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
		return switch (fields.size()) {
			case 0 -> null;
			case 1 -> fields.get(0);
			default -> String.join(",", fields);
		};
	}

	/**
	 * Accepts a ws upgrade {@link #refusal} found nothing wrong with.
	 * @param ctx the context of the stream's handler
	 * @param headers the request's headers
	 * @param link the accepted stream
	 * @param streamHandler the stream's handler, which the ws handlers replace
	 * @return the session that now carries the stream
	 */
	static WsSession upgrade(ChannelHandlerContext ctx, Http2Headers headers, ServerLink link,
			ChannelHandler streamHandler) {
		Http2Headers answer = new DefaultHttp2Headers().status("200");
		String chosen = WsSubprotocols.choose(offered(headers), link.policy().ws().subprotocol());
		if (chosen != null) {
			answer.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, chosen);
		}
		ctx.writeAndFlush(new DefaultHttp2HeadersFrame(answer, false));
		Channel channel = ctx.channel();
		WsSession session = WsUpgrade.newSession(link);
		// The encoder sits before the decoder so that the close frame the decoder sends on a
		// protocol violation is encoded too.
		ChannelPipeline pipeline = channel.pipeline();
		pipeline.replace(streamHandler, "ws-bridge", new DataFrameBridge());
		pipeline.addAfter("ws-bridge", "ws-encoder", new WebSocket13FrameEncoder(false));
		pipeline.addAfter("ws-encoder", "ws-decoder", new WebSocket13FrameDecoder(WsUpgrade.decoderConfig(link)));
		pipeline.addAfter("ws-decoder", "ws", session);
		WsUpgrade.upgraded(channel, link, session);
		return session;
	}

}
