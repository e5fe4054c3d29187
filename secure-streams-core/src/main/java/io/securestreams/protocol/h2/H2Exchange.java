package io.securestreams.protocol.h2;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.Http2CodecUtil;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transaction of a client stream over h2, as one h2 stream on a shared connection: the
 * request as the policy describes it, the body from {@code onTx}, response headers mapped to
 * metadata and CONNECTED, the body with SOM and a zero-length EOM, QOS_ACK_REMOTE or
 * QOS_NACK_REMOTE, then the exchange ends and the stream sees DISCONNECTED, as libwebsockets
 * reports when an h2 child stream closes; the stream's next {@code requestTx} starts a new
 * exchange on the same connection. Redirects continue the exchange on a new h2 stream, on the
 * connection for the new target.
 * <p>
 * A request the server did not process (its stream was above the last stream id of a GOAWAY, or
 * was reset with REFUSED_STREAM, RFC 9113 sections 6.8 and 8.7) is sent again on another h2
 * stream, on a new connection after a GOAWAY, without the stream seeing it, as long as the
 * application has not taken part in the transaction yet ({@link ReplayWatch}); at most
 * {@link #MAX_MOVES} times in a row, after which the attempt fails as a lost one does.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2Exchange implements ProtocolConnection {

	/**
	 * How many times in a row a transaction moves to another h2 stream unseen before the attempt
	 * is failed (UNREACHABLE, a retry counted, backoff). Moves happen at once, without backoff, so
	 * a server that refuses every request must not be asked for ever; three covers a draining
	 * server (a GOAWAY, then the request on a new connection) meeting a refusal or a second drain
	 * at the same time, which is as much as chance explains, at the cost of three quick requests
	 * to a server that always refuses.
	 */
	static final int MAX_MOVES = 3;

	private static final Logger logger = LoggerFactory.getLogger(H2Exchange.class);

	private final StreamLink link;

	private final ReplayWatch watch;

	private final H2Sessions sessions;

	private final Connector connector;

	private final @Nullable SslContext tls;

	private final HttpTransaction transaction;

	private ConnectTarget target;

	private int redirects;

	private @Nullable H2Session session;

	private @Nullable Channel stream;

	// Volatile, as granted below, for the credit estimate read from any thread.
	private volatile boolean ended;

	// Why the server did not process the request on the current h2 stream, or null.
	private @Nullable String unprocessed;

	// Whether a response head (even an interim one) arrived on the current h2 stream.
	private boolean answered;

	// How many times this transaction moved to another h2 stream unseen.
	private int moves;

	// Whether the next h2 stream carries a request already taken from the stream.
	private boolean moving;

	// The manual rx flow control of the h2 stream being opened or open, when the stream has one;
	// volatile for the application's credit estimate, read from any thread.
	private volatile @Nullable ManualRxWindow rxWindow;

	// What the application granted the peer during this transaction, beyond the initial credit.
	private volatile int granted;

	H2Exchange(StreamLink link, H2Sessions sessions, Connector connector, @Nullable SslContext tls,
			ConnectTarget target) {
		this.link = link;
		this.sessions = sessions;
		this.connector = connector;
		this.tls = tls;
		this.target = target;
		this.watch = new ReplayWatch(link);
		this.transaction = new HttpTransaction(this.watch, tls != null);
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
			if (!countMove("its h2 connection was retired by GOAWAY before the request was sent")) {
				open(this.target, this.redirects);
			}
			return;
		}
		int credit = this.link.initialPeerTxCredit();
		// A transaction that moves to another h2 stream (a replay, a redirect) keeps its grants.
		this.rxWindow = (credit > 0) ? new ManualRxWindow(credit, this.granted, this.link.maxPeerTxWindow()) : null;
		ready.openStream(new H2StreamHandler(this, this.rxWindow)).addListener((Future<Http2StreamChannel> f) -> {
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
			this.unprocessed = null;
			this.answered = false;
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
		if (this.stream != null && mayMove()) {
			// Closed after a GOAWAY that left this stream out: the request was not processed.
			this.session = null;
			move();
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
		if (this.moving) {
			// The request was taken when it first started; taking one now would swallow a
			// requestTx the application made since, for its next transaction.
			this.moving = false;
		}
		else if (this.redirects == 0) {
			// A redirect's hop continues a transaction whose request was taken already, for the
			// same reason.
			this.link.takeTxRequest();
		}
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
		this.answered = true;
		if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
			// libwebsockets reports the stream's credit when an h2 client stream is established,
			// before the response head is acted on (so a proxy sends it before CONNECTED).
			int credit = H2SessionHandler.sendWindow((Http2StreamChannel) ch);
			if (credit >= 0) {
				this.link.peerTxCredit(credit);
			}
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
			if (mayMove()) {
				move();
				return;
			}
			this.stream = null;
			end(this.transaction.inProgress(), false);
		}
	}

	/**
	 * The server said it did not process the request on the exchange's h2 stream: a GOAWAY whose
	 * last stream id is below the stream's, or RST_STREAM with REFUSED_STREAM. The stream closes
	 * next; the request may then be sent again.
	 * @param ch the h2 stream
	 * @param why what the server did, for the log
	 */
	void notProcessed(Channel ch, String why) {
		if (ch == this.stream && !this.ended) {
			this.unprocessed = why;
		}
	}

	/**
	 * The request head is being written on the exchange's h2 stream; it may wait for a slot under
	 * the server's SETTINGS_MAX_CONCURRENT_STREAMS before it goes out.
	 * @param ch the h2 stream
	 * @param written the head's write
	 */
	void requestHeadPending(Channel ch, ChannelFuture written) {
		if (ch == this.stream && !this.ended) {
			// Only the end of another request frees a slot: with none under way (a server that
			// allows no stream), the request is timed as if sent, and fails.
			this.transaction.headPending(written, () -> H2SessionHandler.hasActiveStreams((Http2StreamChannel) ch));
			// A body written while the head waited may keep the stream unwritable once the head is
			// out (a server window smaller than what was queued), with no change of writability to
			// pump it again: its stall is watched from here, on a later turn (not inside the write
			// that started the request). Not a pump: that would ask the application for a body it
			// may have declined with TX_DONT_SEND until its next request to send.
			written.addListener((f) -> {
				if (f.isSuccess()) {
					ch.eventLoop().execute(() -> {
						if (ch == this.stream) {
							this.transaction.watchStall(ch);
						}
					});
				}
			});
		}
	}

	/**
	 * The request head could not be sent on the exchange's h2 stream because the codec refused it
	 * (a header list beyond the server's SETTINGS_MAX_HEADER_LIST_SIZE, say). The stream closes
	 * next and the attempt fails as a lost one does; this says why, which the stream's own log
	 * line cannot (it only sees the connection end before CONNECTED).
	 * @param ch the h2 stream
	 * @param cause the codec's error
	 */
	void requestRefused(Channel ch, Throwable cause) {
		if (ch == this.stream && !this.ended) {
			logger.warn("h2 request to {} for streamtype '{}' could not be sent: {}", this.target.authority(),
					this.link.policy().name(), cause.getMessage());
		}
	}

	// Whether the current h2 stream ended unprocessed and the transaction can go again unseen: no
	// response began (a server that answered has processed the request, whatever it says next)
	// and the application has not taken part.
	private boolean mayMove() {
		if (this.unprocessed == null || this.answered) {
			return false;
		}
		if (!this.watch.replayable()) {
			logger.debug("h2 request to {} was not processed ({}), but the application already gave its payload or "
					+ "heard a state; the attempt fails instead", this.target.authority(), this.unprocessed);
			return false;
		}
		return true;
	}

	// Sends the unprocessed request again on another h2 stream (a new connection after a GOAWAY,
	// the same one after REFUSED_STREAM), unless it has moved too often.
	private void move() {
		String why = this.unprocessed;
		this.unprocessed = null;
		release();
		if (!countMove("the server did not process it (" + why + ")")) {
			logger.debug("h2 request to {} was not processed ({}); sending it again", this.target.authority(), why);
			this.moving = this.transaction.inProgress();
			open(this.target, this.redirects);
		}
	}

	/**
	 * Counts a move; past {@link #MAX_MOVES} the attempt fails instead.
	 * @param why why the request moves, for the failure
	 * @return {@code true} when the attempt failed
	 */
	private boolean countMove(String why) {
		this.moves++;
		if (this.moves <= MAX_MOVES) {
			return false;
		}
		this.ended = true;
		release();
		this.link.connectFailed(new IllegalStateException("h2 request to " + this.target.authority()
				+ " was not processed " + this.moves + " times in a row; the last time " + why));
		return true;
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
		this.rxWindow = null;
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
	public void addPeerTxCredit(int delta) {
		if (this.ended || this.link.initialPeerTxCredit() <= 0) {
			return;
		}
		this.granted = (int) Math.min(Integer.MAX_VALUE, (long) this.granted + delta);
		ManualRxWindow window = this.rxWindow;
		if (window != null) {
			window.grant(delta);
		}
	}

	@Override
	public int estimatedPeerTxCredit() {
		int credit = this.link.initialPeerTxCredit();
		if (credit <= 0 || this.ended) {
			return 0;
		}
		ManualRxWindow window = this.rxWindow;
		if (window != null) {
			return window.estimate();
		}
		// Before its h2 stream opens, the transaction's credit is what the stream will open with.
		long opening = (long) Math.max(credit, Http2CodecUtil.DEFAULT_WINDOW_SIZE) + this.granted;
		return (int) Math.min(Integer.MAX_VALUE, opening);
	}

	@Override
	public void validityConfirmed() {
		H2Session joined = this.session;
		if (joined != null) {
			joined.confirmed();
		}
	}

}
