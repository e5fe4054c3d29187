package io.securestreams.protocol.h1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.protocol.ChannelConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.http.HttpRedirects;
import io.securestreams.protocol.http.HttpRequestWriter;
import io.securestreams.protocol.http.HttpResponseHead;
import io.securestreams.protocol.http.PolicyRequest;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * One http/1.1 connection of a client stream and the transactions on it. Follows
 * libwebsockets' {@code ss-h1.c}: metadata from response headers and any {@code http_resp_map}
 * state come before CONNECTED; body chunks are delivered with SOM on the first; a zero-length
 * EOM ends the body; then QOS_ACK_REMOTE or QOS_NACK_REMOTE. A successful transaction leaves the
 * connection open for the stream's next one when the server keeps it alive.
 * <p>
 * The connection coordinates its parts: the {@link H1ChannelHandler} feeds it the pipeline's
 * events, the {@link HttpRequestWriter} sends requests, the {@link HttpResponseHead} says what each
 * response head means, and the {@link HttpRedirects} say where a redirect leads, which the
 * connection follows on a new channel.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1Connection extends ChannelConnection {

	private final StreamLink link;

	private final Connector connector;

	private final @Nullable SslContext tls;

	private final HttpRequestWriter writer;

	private final HttpRedirects redirectTargets;

	private final HttpResponseHead head;

	private @Nullable Future<Channel> pending;

	private @Nullable Channel channel;

	private ConnectTarget target;

	private int redirects;

	private @Nullable PolicyRequest request;

	private boolean inTransaction;

	private boolean connectedReported;

	private boolean somDelivered;

	private boolean skipping;

	H1Connection(StreamLink link, Connector connector, @Nullable SslContext tls) {
		this.link = link;
		this.connector = connector;
		this.tls = tls;
		this.writer = new HttpRequestWriter(link);
		this.redirectTargets = new HttpRedirects(link, tls != null);
		this.head = new HttpResponseHead(link, this.redirectTargets);
		this.target = null;
	}

	void open(ConnectTarget target, int redirects) {
		this.target = target;
		this.redirects = redirects;
		Future<Channel> ready = this.connector.connect(this.link.eventLoop(), target, target.tls() ? this.tls : null,
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
				startTransaction(redirects == 0);
			}
			else {
				this.link.connectFailed((f.cause() != null) ? f.cause() : new IllegalStateException("connect cancelled"));
			}
		});
	}

	private void startTransaction(boolean first) {
		this.link.takeTxRequest();
		if (!first && this.redirects == 0 && HttpResponseHead.stops(this.link.state(StreamState.CONNECTING))) {
			return;
		}
		try {
			this.request = PolicyRequest.build(this.link, this.target);
		}
		catch (IllegalStateException ex) {
			this.link.connectFailed(ex);
			closeChannel();
			return;
		}
		this.inTransaction = true;
		this.connectedReported = this.connectedReported && this.redirects > 0;
		this.somDelivered = false;
		this.skipping = false;
		if (!this.writer.start(this.channel, this.request)) {
			return;
		}
		// A proxied client only sends its body after CONNECTED, so report it once headers are out.
		if (this.link.isProxied() && reportConnected()) {
			return;
		}
		pump();
	}

	private void pump() {
		this.writer.pump(this.channel, this.request);
	}

	/**
	 * Reports CONNECTED unless this transaction, or the redirects that led to it, already did.
	 * @return whether the application's answer stops the connection
	 */
	private boolean reportConnected() {
		if (this.connectedReported) {
			return false;
		}
		this.connectedReported = true;
		return HttpResponseHead.stops(this.link.state(StreamState.CONNECTED));
	}

	/** A response head arrived on the current channel. */
	void onResponse(HttpResponse response) {
		ConnectionTimings timings = this.link.timings();
		if (timings != null) {
			timings.responseStarted(response.status().code());
		}
		switch (this.head.read(response, this.request, this.target, this.redirects)) {
			case INTERIM, REDIRECT -> this.skipping = true;
			case RETRY_LATER -> {
				this.inTransaction = false;
				this.link.retryLater(this.head.retryAfterMillis());
				closeChannel();
			}
			case FINAL -> reportConnected();
			case STOPPED -> {
				// The application stopped at the http_resp_map state; CONNECTED is not reported.
			}
		}
	}

	/** A piece of the response body arrived on the current channel; the last one ends the response. */
	void onContent(HttpContent content) {
		if (this.skipping) {
			if (content instanceof LastHttpContent) {
				this.skipping = false;
				ConnectTarget next = this.redirectTargets.takePending();
				if (next != null) {
					followRedirect(next);
				}
			}
			return;
		}
		ByteBuf data = content.content();
		if (data.isReadable()) {
			int flags = this.somDelivered ? 0 : StreamFlags.SOM;
			this.somDelivered = true;
			if (HttpResponseHead.stops(this.link.rx(data, flags))) {
				return;
			}
		}
		if (content instanceof LastHttpContent) {
			completeTransaction();
		}
	}

	private void followRedirect(ConnectTarget next) {
		Channel old = this.channel;
		this.channel = null;
		old.close();
		open(next, this.redirects + 1);
	}

	private void completeTransaction() {
		if (this.somDelivered && HttpResponseHead.stops(this.link.rx(Unpooled.EMPTY_BUFFER, StreamFlags.EOM))) {
			return;
		}
		this.inTransaction = false;
		if (HttpResponseHead.stops(this.link.state(this.head.isGood() ? StreamState.QOS_ACK_REMOTE : StreamState.QOS_NACK_REMOTE))) {
			return;
		}
		// A proxy closes its onward connection after each transaction, as libwebsockets' proxy does:
		// the proxied client's table does not allow the CONNECTING of a kept-alive next transaction.
		if (!this.head.isGood() || !this.head.isKeepAlive() || this.writer.isBodyOpen()) {
			this.writer.abandonBody();
			closeChannel();
		}
		else if (this.link.txRequested()) {
			startTransaction(false);
		}
	}

	/** Whether {@code ch} is the connection's channel, not one a redirect left behind. */
	boolean isCurrent(Channel ch) {
		return ch == this.channel;
	}

	/** The channel turned writable: an open request body can go on. */
	void onWritable(Channel ch) {
		if (this.writer.isBodyOpen() && ch == this.channel) {
			pump();
		}
	}

	/** A channel closed; only the current one's closing ends the connection. */
	void onInactive(Channel closed) {
		if (closed != this.channel) {
			return;
		}
		this.channel = null;
		this.link.closed(this.inTransaction);
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
		if (this.writer.isBodyOpen()) {
			pump();
		}
		else if (!this.inTransaction) {
			startTransaction(false);
		}
	}

	@Override
	public boolean isIdle() {
		Channel ch = this.channel;
		return ch != null && ch.isActive() && !this.inTransaction && !this.writer.isBodyOpen();
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
