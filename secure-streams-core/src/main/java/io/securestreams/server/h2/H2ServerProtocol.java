package io.securestreams.server.h2;

import java.util.List;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.server.ServerConnection;
import io.securestreams.server.ServerLink;
import io.securestreams.server.ServerProtocol;
import io.securestreams.server.StreamAcceptor;

/**
 * The h2 server binding ({@code "protocol": "h2"} with {@code "server": true}). Over TLS the
 * listener offers ALPN {@code h2} and {@code http/1.1}; in the clear a connection that opens with
 * the h2 preface is h2 (prior knowledge). Anything else, a client without ALPN included, is
 * served by the http/1.1 binding, ws upgrades too, as a libwebsockets h2 server does. Each h2
 * stream is an accepted stream of its own: CREATING, CONNECTING, then CONNECTED and SERVER_TXN
 * for its request, DISCONNECTED when the stream ends. The h2 connection itself is not a stream.
 * With {@code ws_subprotocol} a stream may also be upgraded to ws by an extended CONNECT
 * (RFC 8441), see {@code H2WsUpgrade}.
 * Like h1, the streamtype must declare the metadata names {@code path} and {@code method}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class H2ServerProtocol implements ServerProtocol {

	private final ServerProtocol http1;

	/**
	 * Creates the binding.
	 * @param http1 the binding that serves connections which do not speak h2
	 */
	public H2ServerProtocol(ServerProtocol http1) {
		this.http1 = http1;
	}

	@Override
	public void validate(StreamTypePolicy policy) {
		// The http/1.1 binding's checks (path and method metadata) hold for h2 requests too.
		this.http1.validate(policy);
	}

	@Override
	public List<String> alpn() {
		return List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
	}

	@Override
	public void acceptConnection(Channel channel, StreamAcceptor acceptor) {
		if (channel.pipeline().get(SslHandler.class) != null) {
			channel.pipeline().addLast("h2-alpn", new AlpnSelection(this, this.http1, acceptor));
		}
		else {
			channel.pipeline().addLast("h2-preface", new PrefaceSniffer(this, this.http1, acceptor));
		}
	}

	/**
	 * Serves a connection that speaks h2: the codec, then one accepted stream per h2 stream.
	 * @param connection the connection, with the client's preface not yet read
	 * @param acceptor creates the accepted streams
	 */
	void serve(Channel connection, StreamAcceptor acceptor) {
		H2ServerConnection.addTo(connection.pipeline(), this, acceptor);
	}

	@Override
	public ServerConnection accept(Channel stream, ServerLink link) {
		H2ServerConnection connection = H2ServerConnection.of(stream.parent());
		H2ServerStream served = new H2ServerStream(link, connection::flushSoon, connection.streamProblems());
		stream.pipeline().addLast("h2-stream", served);
		return served;
	}

}
