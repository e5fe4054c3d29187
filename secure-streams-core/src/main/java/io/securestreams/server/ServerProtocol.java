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
	 * Adds the protocol's handlers to a newly accepted channel (after any TLS handler). Called on
	 * the channel's event loop; {@link ServerConnection#start()} follows once the transport is
	 * ready.
	 * @param channel the accepted channel
	 * @param link the runtime side of the accepted stream
	 * @return the handle the runtime uses to drive the connection
	 */
	ServerConnection accept(Channel channel, ServerLink link);

}
