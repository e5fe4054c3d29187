package io.securestreams.server.raw;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.securestreams.StreamState;
import io.securestreams.protocol.raw.RawSession;
import io.securestreams.server.ServerConnection;
import io.securestreams.server.ServerLink;
import io.securestreams.server.ServerProtocol;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;

/**
 * The raw server binding ({@code "protocol": "raw"}). Unlike libwebsockets, whose accepted raw
 * streams stop at CONNECTING, an accepted raw stream reports CONNECTED once the socket (and TLS)
 * is up, then exchanges bytes with flags 0. With {@code svalidhup} in the server streamtype's
 * retry policy, a connection the handler does not confirm alive ({@code validityConfirmed()})
 * within it is closed, as on the client (see {@link RawSession}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RawServerProtocol implements ServerProtocol {

	@Override
	public ServerConnection accept(Channel channel, ServerLink link) {
		RawSession session = new RawSession(link, () -> link.closed(false));
		channel.pipeline().addLast("raw", session);
		return new ServerConnection() {

			private boolean connected;

			@Override
			public void start() {
				this.connected = true;
				link.state(StreamState.CONNECTED);
				session.startValidity();
				session.requestWrite();
			}

			@Override
			public void requestWrite() {
				if (this.connected) {
					session.requestWrite();
				}
			}

			@Override
			public void close() {
				session.close();
			}

			@Override
			public @Nullable SocketAddress peerAddress() {
				return VisibleAddresses.of(channel.remoteAddress());
			}

			@Override
			public void validityConfirmed() {
				session.validityConfirmed();
			}

			@Override
			public void setRxPaused(boolean paused) {
				channel.config().setAutoRead(!paused);
			}

		};
	}

}
