package io.securestreams.protocol.h2;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;

/**
 * Identifies one h2 network connection of a context: exchanges with equal keys share it. The key
 * holds where the connection goes, the TLS context it was made with (trust store, client
 * certificate; compared by identity, and rebuilt when the policy changes), the socket attributes,
 * and the event loop, so a session is only ever touched from one thread.
 *
 * @param loop the event loop of the streams that share the connection
 * @param address where to connect
 * @param tls whether TLS is on
 * @param socks5 the SOCKS5 proxy, or {@code null}
 * @param sslContext the TLS context, or {@code null} for a plain connection
 * @param attributes the socket attributes from the policy
 * @param owner the one exchange allowed on the connection, or {@code null} when it is shared: a
 * streamtype with {@code "perf": true} gets connections of its own, so the timings it receives
 * describe a connection it made
 * @param txCreditQuirk whether the connection tolerates tx credit overflows ({@code h2q_oflow_txcr});
 * streamtypes with and without the quirk do not share connections
 * @author Secure Streams contributors
 * @since 0.1.0
 */
record H2SessionKey(EventLoop loop, SocketAddress address, boolean tls, @Nullable InetSocketAddress socks5,
		@Nullable SslContext sslContext, SocketAttributes attributes, @Nullable Object owner,
		boolean txCreditQuirk) {

	static H2SessionKey of(EventLoop loop, ConnectTarget target, @Nullable SslContext sslContext,
			StreamTypePolicy policy, @Nullable Object owner) {
		return new H2SessionKey(loop, target.address(), target.tls(), target.socks5(),
				target.tls() ? sslContext : null, policy.attributes(), owner,
				policy.http().h2QuirkOverflowTxCredit());
	}

}
