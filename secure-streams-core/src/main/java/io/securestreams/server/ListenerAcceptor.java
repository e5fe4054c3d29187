package io.securestreams.server;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.securestreams.ProtocolLimits;
import io.securestreams.policy.StreamTypePolicy;

/**
 * The {@link StreamAcceptor} of one {@link ListenerStream}: every channel it is given becomes an
 * accepted stream with the listener's handler.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ListenerAcceptor implements StreamAcceptor {

	private final ListenerStream listener;

	ListenerAcceptor(ListenerStream listener) {
		this.listener = listener;
	}

	@Override
	public void accept(Channel channel, ServerProtocol binding, boolean transportReady) {
		if (this.listener.isDestroyed()) {
			channel.close();
			return;
		}
		AcceptedStream stream = this.listener.successor(channel);
		if (!transportReady) {
			// Only a connection of the listener's socket has a TLS handshake to wait for; the
			// streams of a multiplexed connection are ready once active.
			boolean handshake = this.listener.servesTls() && channel.parent() instanceof ServerChannel;
			channel.pipeline().addLast("ss-ready", new TransportReady(stream, handshake));
		}
		stream.open(binding);
		if (transportReady) {
			stream.transportReady();
		}
	}

	@Override
	public StreamTypePolicy policy() {
		return this.listener.streamTypePolicy();
	}

	@Override
	public ProtocolLimits limits() {
		return this.listener.limits();
	}

	@Override
	public String describe(Channel channel) {
		return "'" + this.listener.streamType() + "' connection from " + channel.remoteAddress();
	}

}
