package io.securestreams.protocol;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;

/**
 * A protocol connection carried by one Netty channel at a time: the peer address and rx flow
 * control come from that channel, so bindings only say which channel is current.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class ChannelConnection implements ProtocolConnection {

	/**
	 * Returns the connection's current channel.
	 * @return the channel, or {@code null} before it is connected or after it closed
	 */
	protected abstract @Nullable Channel channel();

	@Override
	public @Nullable SocketAddress peerAddress() {
		Channel ch = channel();
		return (ch != null) ? VisibleAddresses.of(ch.remoteAddress()) : null;
	}

	@Override
	public void setRxPaused(boolean paused) {
		Channel ch = channel();
		if (ch != null) {
			ch.config().setAutoRead(!paused);
		}
	}

}
