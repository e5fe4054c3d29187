package io.securestreams.protocol.ws;

import java.util.List;

import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * The WebSocket binding for client streams ({@code "protocol": "ws"}), plain or over TLS by
 * the policy's {@code tls}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class WsClientProtocol implements ClientProtocol {

	@Override
	public ProtocolConnection connect(ConnectTarget target, @Nullable SslContext tls, Connector connector,
			StreamLink link) {
		WsClientConnection connection = new WsClientConnection(link, connector, tls);
		connection.open(target);
		return connection;
	}

	@Override
	public List<String> alpn() {
		return List.of(ApplicationProtocolNames.HTTP_1_1);
	}

}
