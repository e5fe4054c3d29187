package io.securestreams.server.h1;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.server.ServerConnection;
import io.securestreams.server.ServerLink;
import io.securestreams.server.ServerProtocol;
import io.securestreams.server.http.RequestMetadata;

/**
 * The http/1.1 server binding ({@code "protocol": "h1"}, and {@code "ws"} servers). The
 * streamtype must declare the metadata names {@code path} and {@code method}, which receive each
 * request's path and method (libwebsockets silently drops requests when they are missing; this
 * runtime refuses to create the listener instead). ws upgrades are accepted when the
 * streamtype has {@code ws_subprotocol} or its protocol is {@code ws}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class H1ServerProtocol implements ServerProtocol {

	@Override
	public void validate(StreamTypePolicy policy) {
		RequestMetadata.requireDeclared(policy);
	}

	@Override
	public List<String> alpn() {
		return List.of(ApplicationProtocolNames.HTTP_1_1);
	}

	@Override
	public ServerConnection accept(Channel channel, ServerLink link) {
		int maxHead = link.limits().maxHttpHeaderSize();
		boolean ws = link.policy().ws().subprotocol() != null || link.policy().protocol() == Protocol.WS;
		// RFC 9112 framing whatever the JVM-wide io.netty.handler.codec.http.rfc9112TransferEncoding
		// says: Content-Length with Transfer-Encoding, or Transfer-Encoding in HTTP/1.0, is a 400.
		H1ServerCodec codec = new H1ServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(maxHead)
			.setMaxHeaderSize(maxHead)
			.setMaxChunkSize(64 * 1024)
			.setUseRfc9112TransferEncoding(true));
		H1ServerConnection connection = new H1ServerConnection(link, ws, codec);
		channel.config().setAutoRead(false);
		// Expect is answered by the connection itself (no HttpServerExpectContinueHandler), see there.
		channel.pipeline()
			.addLast(H1ServerConnection.WATCH_HANDLER, connection.requestWatch())
			.addLast("http-decoder", codec.decoder())
			.addLast("http-encoder", codec.encoder())
			.addLast(H1ServerConnection.FLOW_HANDLER, new FlowControlHandler())
			.addLast("h1", connection);
		return connection;
	}

}
