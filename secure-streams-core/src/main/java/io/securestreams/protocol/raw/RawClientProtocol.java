package io.securestreams.protocol.raw;

import java.nio.channels.ClosedChannelException;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.ChannelConnection;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.ProxiedReads;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * The raw binding for client streams ({@code "protocol": "raw"}): a TCP, TLS or Unix socket byte
 * stream. CONNECTED is reported once the socket (and the TLS handshake) is up; when the
 * connection closes, a stream that is not opportunistic reconnects by its backoff. There is no
 * default port: the policy must give one.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class RawClientProtocol implements ClientProtocol {

	@Override
	public ProtocolConnection connect(ConnectTarget target, @Nullable SslContext tls, Connector connector,
			StreamLink link) {
		Connection connection = new Connection(link);
		Future<Channel> ready = connector.connect(link.eventLoop(), target, target.tls() ? tls : null,
				link.policy().attributes(), link.timings(), (pipeline) -> {
					// A proxy's onward stream: one read must fit above the rx flow-control mark.
					ProxiedReads.limit(pipeline.channel(), link);
					pipeline.addLast("raw", connection.attempt());
				});
		connection.pending = ready;
		ready.addListener((Future<Channel> f) -> connection.ready(f));
		return connection;
	}

	/** One raw client connection. */
	private static final class Connection extends ChannelConnection {

		private final StreamLink link;

		// The session of the latest connect attempt (one per address tried).
		private RawSession session;

		private @Nullable Future<Channel> pending;

		private @Nullable Channel channel;

		private boolean connected;

		Connection(StreamLink link) {
			this.link = link;
			this.session = new RawSession(link, this::onClosed);
		}

		// A handler instance belongs to one pipeline: each address tried gets its own session, and
		// only the latest one's close counts.
		RawSession attempt() {
			RawSession[] self = new RawSession[1];
			self[0] = new RawSession(this.link, () -> {
				if (this.session == self[0]) {
					onClosed();
				}
			});
			this.session = self[0];
			return self[0];
		}

		void ready(Future<Channel> f) {
			if (this.pending != f) {
				return;
			}
			this.pending = null;
			if (!f.isSuccess()) {
				this.link.connectFailed((f.cause() != null) ? f.cause()
						: new IllegalStateException("connect cancelled"));
				return;
			}
			this.channel = f.getNow();
			this.connected = true;
			StreamResult result = this.link.state(StreamState.CONNECTED);
			if (result != StreamResult.DISCONNECT_ME && result != StreamResult.DESTROY_ME) {
				this.session.startValidity();
				this.session.requestWrite();
			}
		}

		private void onClosed() {
			if (this.connected) {
				this.link.closed(true);
			}
			else if (this.pending == null) {
				this.link.connectFailed(new ClosedChannelException());
			}
		}

		@Override
		public void requestWrite() {
			if (this.connected) {
				this.session.requestWrite();
			}
		}

		@Override
		public void close() {
			Future<Channel> connecting = this.pending;
			if (connecting != null) {
				connecting.cancel(false);
			}
			this.session.close();
		}

		@Override
		public void validityConfirmed() {
			if (this.connected) {
				this.session.validityConfirmed();
			}
		}

		@Override
		protected @Nullable Channel channel() {
			return this.channel;
		}

	}

}
