package io.securestreams.protocol.ws;

import java.net.URI;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import org.jspecify.annotations.Nullable;

/**
 * Netty's RFC 6455 client handshake, with the request target sent as the policy's expanded
 * {@code http_url} gives it, and a frame decoder that leaves the answer to a protocol
 * violation to the {@link WsSession}. Netty's own decoder sends no close frame at all when the
 * violation is inside a close frame the server sent (a status code RFC 6455 forbids, such as 999
 * or 1005), though RFC 6455 section 7.1.7 wants one (1002) before the connection is dropped, as
 * libwebsockets and our ws server send.
 * <p>
 * Netty takes the request target from a {@link URI}, which refuses characters such as
 * <code>{</code>, {@code "} or {@code |} that the h1 binding and libwebsockets send as they are
 * (a JSON query argument, say): every attempt of such a ws stream failed. The URI here carries
 * the scheme and authority only, and the target goes out verbatim.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class WsClientHandshaker extends WebSocketClientHandshaker13 {

	private final WebSocketDecoderConfig decoderConfig;

	private final String target;

	/**
	 * Creates the handshake of one connection.
	 * @param uri the ws or wss URI of the server: scheme and authority
	 * @param target the request target (path and query) sent as it is
	 * @param subprotocol the subprotocol requested, or {@code null}
	 * @param headers extra request headers
	 * @param maxFramePayload the largest frame payload accepted
	 * @param forceCloseTimeoutMillis how long a close frame we sent waits for the server's close
	 */
	WsClientHandshaker(URI uri, String target, @Nullable String subprotocol, HttpHeaders headers,
			int maxFramePayload, long forceCloseTimeoutMillis) {
		super(uri, WebSocketVersion.V13, subprotocol, false, headers, maxFramePayload, true, false,
				forceCloseTimeoutMillis);
		this.target = target;
		this.decoderConfig = WebSocketDecoderConfig.newBuilder()
			.maxFramePayloadLength(maxFramePayload)
			.expectMaskedFrames(false)
			.allowMaskMismatch(false)
			.allowExtensions(false)
			.closeOnProtocolViolation(false)
			.build();
	}

	@Override
	protected String upgradeUrl(URI uri) {
		return this.target;
	}

	@Override
	protected WebSocketFrameDecoder newWebsocketDecoder() {
		return new WebSocket13FrameDecoder(this.decoderConfig);
	}

}
