package io.securestreams.protocol.h2;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.handler.ssl.SslContext;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * The h2 connections of a context that can take new exchanges, by {@link H2SessionKey}. Each
 * entry is only used from its key's event loop; the map itself is shared by all loops.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2Sessions {

	private final Map<H2SessionKey, H2Session> usable = new ConcurrentHashMap<>();

	/**
	 * Puts an exchange on the connection for its target, opening one when none is usable.
	 * @param exchange the exchange
	 * @param target where it goes
	 * @param tls the TLS context, for TLS targets
	 * @param connector opens a new connection
	 * @param link the exchange's link
	 * @return the session the exchange joined
	 */
	H2Session join(H2Exchange exchange, ConnectTarget target, @Nullable SslContext tls, Connector connector,
			StreamLink link) {
		Object owner = (link.timings() != null) ? exchange : null;
		H2SessionKey key = H2SessionKey.of(link.eventLoop(), target, tls, link.policy(), owner);
		H2Session session = this.usable.get(key);
		if (session != null && session.isUsable()) {
			session.join(exchange);
			return session;
		}
		H2Session created = H2Session.create(key, this, target, link);
		this.usable.put(key, created);
		created.join(exchange);
		created.start(target, tls, connector, link);
		return created;
	}

	/** A session can no longer take exchanges. */
	void remove(H2Session session) {
		this.usable.remove(session.key(), session);
	}

	/**
	 * Returns how many connections can take new exchanges, for tests and monitoring.
	 * @return the count
	 */
	int size() {
		return this.usable.size();
	}

}
