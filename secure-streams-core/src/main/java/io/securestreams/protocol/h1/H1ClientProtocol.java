package io.securestreams.protocol.h1;

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
 * The HTTP/1.1 binding for client streams ({@code "protocol": "h1"}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class H1ClientProtocol implements ClientProtocol {

	@Override
	public ProtocolConnection connect(ConnectTarget target, @Nullable SslContext tls, Connector connector,
			StreamLink link) {
		H1Connection connection = new H1Connection(link, connector, tls, target);
		connection.open(target, 0);
		return connection;
	}

	@Override
	public List<String> alpn() {
		return List.of(ApplicationProtocolNames.HTTP_1_1);
	}

}
