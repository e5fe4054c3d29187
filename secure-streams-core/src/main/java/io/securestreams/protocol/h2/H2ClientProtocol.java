package io.securestreams.protocol.h2;

import java.util.List;

import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import io.securestreams.transport.EndpointResolver;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 binding for client streams ({@code "protocol": "h2"}). Each connection attempt of
 * a stream is one transaction on an h2 stream; streams whose streamtypes go to the same endpoint
 * are placed on one event loop so their transactions can share a connection.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class H2ClientProtocol implements ClientProtocol {

	private final H2Sessions sessions = new H2Sessions();

	@Override
	public ProtocolConnection connect(ConnectTarget target, @Nullable SslContext tls, Connector connector,
			StreamLink link) {
		H2Exchange exchange = new H2Exchange(link, this.sessions, connector, tls, target);
		exchange.open(target, 0);
		return exchange;
	}

	@Override
	public Object loopAffinity(StreamTypePolicy policy) {
		int port = (policy.port() != 0) ? policy.port()
				: EndpointResolver.defaultPort(policy.protocol(), policy.tls().enabled());
		return List.of("h2", String.valueOf(policy.endpoint()), port, policy.tls().enabled());
	}

	@Override
	public List<String> alpn() {
		return List.of(ApplicationProtocolNames.HTTP_2);
	}

}
