package io.securestreams.server.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.securestreams.server.ServerProtocol;
import io.securestreams.server.StreamAcceptor;
import io.securestreams.tls.HandshakeFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the binding of a TLS connection once its handshake is done: h2 when the client chose it
 * by ALPN, the http/1.1 binding otherwise (also when the client sent no ALPN at all).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class AlpnSelection extends ApplicationProtocolNegotiationHandler {

	private static final Logger logger = LoggerFactory.getLogger(AlpnSelection.class);

	private final H2ServerProtocol h2;

	private final ServerProtocol http1;

	private final StreamAcceptor acceptor;

	AlpnSelection(H2ServerProtocol h2, ServerProtocol http1, StreamAcceptor acceptor) {
		super(ApplicationProtocolNames.HTTP_1_1);
		this.h2 = h2;
		this.http1 = http1;
		this.acceptor = acceptor;
	}

	@Override
	protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
		if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
			this.h2.serve(ctx.channel(), this.acceptor);
		}
		else {
			this.acceptor.accept(ctx.channel(), this.http1, true);
		}
	}

	@Override
	protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
		HandshakeFailures.log(logger, this.acceptor.describe(ctx.channel()), cause);
		ctx.close();
	}

}
