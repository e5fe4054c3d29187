package io.securestreams.server;

import io.netty.channel.Channel;
import io.securestreams.ProtocolLimits;
import io.securestreams.policy.StreamTypePolicy;

/**
 * Creates the accepted streams of a listener. A binding that carries one stream per connection
 * is given the connection's channel once; a multiplexing binding (h2) calls it for every stream
 * of the connection, with the stream's channel.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface StreamAcceptor {

	/**
	 * Creates an accepted stream with the listener's handler on a channel: CREATING and
	 * CONNECTING are reported, then {@link ServerProtocol#accept(Channel, ServerLink)} sets the
	 * channel up. Called on the channel's event loop.
	 * @param channel the connection, or one stream of a multiplexed connection
	 * @param binding the binding that serves the stream
	 * @param transportReady {@code true} when the channel is already active and any TLS
	 * handshake done, so the binding starts at once; {@code false} to start it when the channel
	 * becomes active and its TLS handshake completes
	 */
	void accept(Channel channel, ServerProtocol binding, boolean transportReady);

	/**
	 * Returns the listener's streamtype, for the connection-level choices of a binding (an h2
	 * connection offers extended CONNECT only when the streamtype accepts ws upgrades).
	 * @return the streamtype's current policy
	 */
	StreamTypePolicy policy();

	/**
	 * Returns the context's protocol limits, for the connection-level handlers of a binding.
	 * @return the limits
	 */
	ProtocolLimits limits();

	/**
	 * Describes a connection for log lines.
	 * @param channel the connection
	 * @return for example {@code 'myserver' connection from /127.0.0.1:51234}
	 */
	String describe(Channel channel);

}
