package io.securestreams.protocol.h2;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.http.HttpTransaction;
import io.securestreams.protocol.http.HttpTransaction.Step;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * One transaction of a client stream over h2, as one h2 stream on a shared connection: the
 * request as the policy describes it, the body from {@code onTx}, response headers mapped to
 * metadata and CONNECTED, the body with SOM and a zero-length EOM, QOS_ACK_REMOTE or
 * QOS_NACK_REMOTE, then the exchange ends and the stream sees DISCONNECTED, as libwebsockets
 * reports when an h2 child stream closes; the stream's next {@code requestTx} starts a new
 * exchange on the same connection. Redirects continue the exchange on a new h2 stream, on the
 * connection for the new target.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2Exchange implements ProtocolConnection {

	private final StreamLink link;

	private final H2Sessions sessions;

	private final Connector connector;

	private final @Nullable SslContext tls;

	private final HttpTransaction transaction;

	private ConnectTarget target;

	private int redirects;

	private @Nullable H2Session session;

	private @Nullable Channel stream;

	private boolean ended;

	H2Exchange(StreamLink link, H2Sessions sessions, Connector connector, @Nullable SslContext tls,
			ConnectTarget target) {
		this.link = link;
		this.sessions = sessions;
		this.connector = connector;
		this.tls = tls;
		this.target = target;
		this.transaction = new HttpTransaction(link, tls != null);
	}

	void open(ConnectTarget next, int hops) {
		this.target = next;
		this.redirects = hops;
		this.sessions.join(this, next, next.tls() ? this.tls : null, this.connector, this.link);
	}

	/** The session this exchange joined (called from inside {@link H2Session#join}). */
	void joined(H2Session joined) {
		this.session = joined;
	}

	/** The connection is ready: open this exchange's h2 stream on it. */
	void sessionReady(H2Session ready) {
		if (this.ended || ready != this.session || this.stream != null) {
			return;
		}
		if (!ready.isUsable()) {
			// Retired (GOAWAY) after this exchange joined: take the next connection instead.
			this.session = null;
			ready.leave(this);
			open(this.target, this.redirects);
			return;
		}
		ready.openStream(new H2StreamHandler(this)).addListener((Future<Http2StreamChannel> f) -> {
			if (!f.isSuccess()) {
				// Nothing was sent: the attempt failed, and the stream backs off as for a refused connection.
				if (!this.ended && ready == this.session) {
					this.ended = true;
					release();
					this.link.connectFailed(f.cause());
				}
				return;
			}
			if (this.ended || ready != this.session) {
				f.getNow().close();
				return;
			}
			this.stream = f.getNow();
			startTransaction();
		});
	}

	/** The connection could not be made. */
	void sessionFailed(H2Session failed, Throwable cause) {
		if (this.ended || failed != this.session) {
			return;
		}
		this.ended = true;
		this.session = null;
		this.link.connectFailed(cause);
	}

	/** The connection closed under this exchange. */
	void sessionClosed(H2Session closed) {
		if (this.ended || closed != this.session) {
			return;
		}
		this.session = null;
		if (this.stream == null && !this.transaction.inProgress()) {
			// Gone before this exchange's request went out: a failed attempt, retried by backoff.
			this.ended = true;
			release();
			this.link.connectFailed(new IllegalStateException("the h2 connection closed before the request was sent"));
			return;
		}
		end(this.transaction.inProgress(), false);
	}

	private void startTransaction() {
		this.link.takeTxRequest();
		try {
			this.transaction.start(this.stream, this.target, this.redirects);
		}
		catch (IllegalStateException ex) {
			this.ended = true;
			release();
			this.link.connectFailed(ex);
		}
	}

	/** A response head arrived on the exchange's h2 stream. */
	void onResponse(Channel ch, HttpResponse response) {
		if (ch != this.stream || this.ended) {
			return;
		}
		if (this.transaction.onResponse(response, this.target, this.redirects, this.link.policy().longPoll(),
				ch) == Step.RETRY_LATER) {
			this.ended = true;
			release();
			this.link.retryLater(this.transaction.retryAfterMillis());
		}
	}

	/** A piece of the response body arrived; the last one ends the response. */
	void onContent(Channel ch, HttpContent content) {
		if (ch != this.stream || this.ended) {
			return;
		}
		switch (this.transaction.onContent(content)) {
			case REDIRECT -> {
				ConnectTarget next = this.transaction.takeRedirect();
				release();
				open(next, this.redirects + 1);
			}
			case COMPLETE -> end(false, false);
			default -> {
			}
		}
	}

	/** The exchange's h2 stream closed (ended by both sides, reset, or its connection went). */
	void onStreamClosed(Channel ch) {
		if (ch == this.stream && !this.ended) {
			this.stream = null;
			end(this.transaction.inProgress(), false);
		}
	}

	/** The stream turned writable (the server's flow-control window opened): the body goes on. */
	void onWritable(Channel ch) {
		if (ch == this.stream) {
			this.transaction.pump(ch);
		}
	}

	/**
	 * Ends the exchange and tells the runtime the "connection" closed, so the stream reports
	 * DISCONNECTED (or UNREACHABLE before CONNECTED) and reconnects when asked to.
	 * @param reconnect whether the transaction was cut short
	 * @param later whether to report on the next turn of the loop, when called from inside one of
	 * the runtime's own calls
	 */
	private void end(boolean reconnect, boolean later) {
		this.ended = true;
		release();
		if (later) {
			this.link.eventLoop().execute(() -> this.link.closed(reconnect));
		}
		else {
			this.link.closed(reconnect);
		}
	}

	// Resets the h2 stream if it is still open and leaves the connection to its other users.
	private void release() {
		this.transaction.abandonBody();
		Channel open = this.stream;
		this.stream = null;
		if (open != null) {
			open.close();
		}
		H2Session joined = this.session;
		this.session = null;
		if (joined != null) {
			joined.leave(this);
		}
	}

	@Override
	public void requestWrite() {
		if (this.stream != null) {
			this.transaction.pump(this.stream);
		}
	}

	@Override
	public void close() {
		if (!this.ended) {
			end(this.transaction.inProgress(), true);
		}
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		H2Session joined = this.session;
		return (joined != null) ? joined.peerAddress() : null;
	}

	@Override
	public void setRxPaused(boolean paused) {
		Channel open = this.stream;
		if (open != null) {
			open.config().setAutoRead(!paused);
		}
	}

	@Override
	public void validityConfirmed() {
		H2Session joined = this.session;
		if (joined != null) {
			joined.confirmed();
		}
	}

}
