package io.securestreams.server;

import java.util.List;

import io.netty.channel.Channel;
import io.securestreams.policy.StreamTypePolicy;

/**
 * A wire protocol that serves accepted connections of a server streamtype.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface ServerProtocol {

	/**
	 * Checks that a server streamtype can be served, before its listener binds.
	 * @param policy the server streamtype
	 * @throws io.securestreams.SecureStreamsException naming what the policy lacks
	 */
	default void validate(StreamTypePolicy policy) {
	}

	/**
	 * Returns the ALPN protocols a TLS listener accepts.
	 * @return the protocol ids, empty for none
	 */
	default List<String> alpn() {
		return List.of();
	}

	/**
	 * Sets up a newly accepted connection (after any TLS handler) and creates its accepted
	 * streams. By default the connection is one accepted stream, served by
	 * {@link #accept(Channel, ServerLink)}; a multiplexing binding overrides this to create one
	 * accepted stream per stream the connection carries.
	 * @param channel the accepted connection
	 * @param acceptor creates the accepted streams
	 */
	default void acceptConnection(Channel channel, StreamAcceptor acceptor) {
		acceptor.accept(channel, this, false);
	}

	/**
	 * Adds the protocol's handlers to a newly accepted channel (after any TLS handler). Called on
	 * the channel's event loop; {@link ServerConnection#start()} follows once the transport is
	 * ready.
	 * @param channel the accepted channel (a connection, or one stream of a multiplexed one)
	 * @param link the runtime side of the accepted stream
	 * @return the handle the runtime uses to drive the connection
	 */
	ServerConnection accept(Channel channel, ServerLink link);

}
