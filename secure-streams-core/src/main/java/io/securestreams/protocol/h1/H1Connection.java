package io.securestreams.protocol.h1;

import java.util.Objects;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.securestreams.StreamState;
import io.securestreams.protocol.ChannelConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.http.HttpTransaction;
import io.securestreams.protocol.http.HttpTransaction.Step;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One http/1.1 connection of a client stream and the transactions on it. Follows
 * libwebsockets' {@code ss-h1.c}: metadata from response headers and any {@code http_resp_map}
 * state come before CONNECTED; body chunks are delivered with SOM on the first; a zero-length
 * EOM ends the body; then QOS_ACK_REMOTE or QOS_NACK_REMOTE. A successful transaction leaves the
 * connection open for the stream's next one when the server keeps it alive.
 * <p>
 * The connection owns the channel: the {@link H1ChannelHandler} feeds it the pipeline's events,
 * the {@link HttpTransaction} runs each transaction on it, and the connection decides what a
 * transaction's end means for the channel (kept alive for the next one, or closed), reports
 * CONNECTING for a kept-alive connection's next transaction, and follows redirects on a new
 * channel.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1Connection extends ChannelConnection {

	private static final Logger logger = LoggerFactory.getLogger(H1Connection.class);

	private final StreamLink link;

	private final Connector connector;

	private final @Nullable SslContext tls;

	private final HttpTransaction transaction;

	private @Nullable Future<Channel> pending;

	private @Nullable Channel channel;

	private ConnectTarget target;

	private int redirects;

	// Whether a transaction completed on this connection: the ones after it report CONNECTING,
	// and the stream's CONNECTED stays unanswered until the connection ends.
	private boolean served;

	H1Connection(StreamLink link, Connector connector, @Nullable SslContext tls, ConnectTarget target) {
		this.link = link;
		this.connector = connector;
		this.tls = tls;
		this.transaction = new HttpTransaction(link, tls != null);
		this.target = target;
	}

	void open(ConnectTarget next, int hops) {
		this.target = next;
		this.redirects = hops;
		Future<Channel> ready = this.connector.connect(this.link.eventLoop(), next, next.tls() ? this.tls : null,
				this.link.policy().attributes(), this.link.timings(),
				(pipeline) -> H1ChannelHandler.addTo(pipeline, this, this.link));
		this.pending = ready;
		ready.addListener((Future<Channel> f) -> {
			if (this.pending != f) {
				return;
			}
			this.pending = null;
			if (f.isSuccess()) {
				this.channel = f.getNow();
				startTransaction(hops == 0);
			}
			else {
				this.link.connectFailed((f.cause() != null) ? f.cause()
						: new IllegalStateException("connect cancelled"));
			}
		});
	}

	private void startTransaction(boolean first) {
		if (this.redirects == 0) {
			// A redirect's hop continues the transaction whose request was taken already: a
			// request made since is for the next transaction (see afterTransaction).
			this.link.takeTxRequest();
		}
		// A kept-alive connection's next transaction reports CONNECTING, as a new connection would.
		if (!first && this.redirects == 0 && HttpTransaction.stops(this.link.state(StreamState.CONNECTING))) {
			return;
		}
		try {
			this.transaction.start(this.channel, this.target, this.redirects);
		}
		catch (IllegalStateException ex) {
			this.link.connectFailed(ex);
			closeChannel();
		}
	}

	/** A response head arrived on the current channel. */
	void onResponse(HttpResponse response) {
		if (!this.transaction.inProgress()) {
			unsolicited(response);
			return;
		}
		if (this.transaction.onResponse(response, this.target, this.redirects, false,
				this.channel) == Step.RETRY_LATER) {
			this.link.retryLater(this.transaction.retryAfterMillis());
			closeChannel();
		}
	}

	/**
	 * A response head arrived while no request was outstanding: most likely bytes beyond the last
	 * response's announced length that happen to parse as a response. It answers nothing, so it
	 * must not reach the application as the next transaction's rx and result; nothing more read
	 * on the channel can be trusted either, so it is dropped (content following in the same read
	 * is no longer read) and the connection ends as a closed one would.
	 */
	private void unsolicited(HttpResponse response) {
		Channel ch = this.channel;
		logger.warn("http server {} sent a response ({}) to no request for streamtype '{}'; closing",
				(ch != null) ? ch.remoteAddress() : null, response.status().code(), this.link.policy().name());
		dropChannel();
		this.link.closed(false);
	}

	/** A piece of the response body arrived on the current channel; the last one ends the response. */
	void onContent(HttpContent content) {
		switch (this.transaction.onContent(content)) {
			case REDIRECT -> followRedirect(this.transaction.takeRedirect());
			case COMPLETE -> afterTransaction();
			default -> {
			}
		}
	}

	private void followRedirect(@Nullable ConnectTarget next) {
		dropChannel();
		open(next, this.redirects + 1);
	}

	// Closes the channel without its closing counting as the connection's end (see onInactive).
	private void dropChannel() {
		Channel old = this.channel;
		this.channel = null;
		if (old != null) {
			old.close();
		}
	}

	// A proxy's onward connection is kept too: libwebsockets' proxy closes it after each
	// transaction, and our proxy sends its client the DISCONNECTED that close would give
	// (OnwardHandler), since the proxied client's table forbids a kept-alive next CONNECTING.
	private void afterTransaction() {
		this.served = true;
		Channel ch = this.channel;
		// A body without a length ends when the server closes: that connection carries no more,
		// whatever the response said about keep-alive.
		if (!this.transaction.mayContinue() || ch == null || !ch.isActive()) {
			this.transaction.abandonBody();
			closeChannel();
		}
		else if (this.link.txRequested()) {
			nextTransaction();
		}
	}

	/**
	 * Starts the stream's next transaction on the kept-alive channel at the target the metadata
	 * and policy give now (not the one the connection was opened for, nor where a redirect led).
	 * When that is another peer, or cannot be resolved, the channel is closed instead: the request
	 * stays pending and the stream connects anew, as it would have without keep-alive.
	 */
	private void nextTransaction() {
		ConnectTarget next;
		try {
			next = this.link.nextTarget();
		}
		catch (IllegalArgumentException ex) {
			// The new attempt fails the same way and reports why.
			closeChannel();
			return;
		}
		if (next != null) {
			if (!samePeer(next, this.target)) {
				closeChannel();
				return;
			}
			this.target = next;
		}
		// A new transaction, never a redirect's hop, even when it stays where a redirect led.
		this.redirects = 0;
		startTransaction(false);
	}

	private static boolean samePeer(ConnectTarget a, ConnectTarget b) {
		return a.address().equals(b.address()) && a.host().equals(b.host()) && a.tls() == b.tls()
				&& Objects.equals(a.socks5(), b.socks5());
	}

	/**
	 * The server broke the protocol on the current channel before the answer was usable: the
	 * channel is dropped (nothing more it sends is read) and the attempt fails, as a connection
	 * that could not be made does (UNREACHABLE, then the retry policy).
	 * @param ch the channel
	 * @param why what the server did, for the log
	 */
	void protocolViolation(Channel ch, String why) {
		if (ch != this.channel) {
			return;
		}
		dropChannel();
		this.transaction.abandonBody();
		this.link.connectFailed(new IllegalStateException(why));
	}

	/** Whether {@code ch} is the connection's channel, not one a redirect left behind. */
	boolean isCurrent(Channel ch) {
		return ch == this.channel;
	}

	/** The channel turned writable: an open request body can go on. */
	void onWritable(Channel ch) {
		if (ch == this.channel) {
			this.transaction.pump(ch);
		}
	}

	/** A channel closed; only the current one's closing ends the connection. */
	void onInactive(Channel closed) {
		if (closed != this.channel) {
			return;
		}
		this.channel = null;
		if (this.served && this.transaction.awaitsAnswer() && this.link.isActive() && !this.link.isProxied()) {
			// A next transaction reported CONNECTING as on a new connection, so a close before its
			// answer fails it as on a new one (the owed DISCONNECTED, UNREACHABLE, the retry
			// policy); ended as a lost connection, an opportunistic stream never served it. (A
			// proxy's onward stream reports the lost connection: only its client's next
			// ONWARD_CONNECT starts another transaction, reference 7.3.)
			this.transaction.abandonBody();
			this.link.connectFailed(new IllegalStateException("the kept-alive connection to "
					+ this.target.authority() + " closed before the response"));
			return;
		}
		this.link.closed(this.transaction.inProgress());
	}

	private void closeChannel() {
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
	}

	@Override
	public void requestWrite() {
		if (this.channel == null || !this.channel.isActive()) {
			return;
		}
		if (this.transaction.isBodyOpen()) {
			this.transaction.pump(this.channel);
		}
		else if (!this.transaction.inProgress()) {
			nextTransaction();
		}
	}

	@Override
	public boolean isIdle() {
		Channel ch = this.channel;
		return ch != null && ch.isActive() && !this.transaction.inProgress() && !this.transaction.isBodyOpen();
	}

	@Override
	public void close() {
		Future<Channel> connecting = this.pending;
		if (connecting != null) {
			connecting.cancel(false);
		}
		closeChannel();
	}

	@Override
	protected @Nullable Channel channel() {
		return this.channel;
	}

}
