package io.securestreams.proxy.client;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.proxy.wire.ToProxy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxied stream's link to its proxy across the connections it takes, as a state machine (see
 * {@link LinkPhase}): connects, retries every second while the proxy cannot be reached, sends
 * STREAMTYPE on each new connection and hangs up when CREATE_RESULT does not come in time, and
 * follows the onward connection's state. After a connection closed it retries. Only the current
 * connection's events count. Used only on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class UpstreamLink {

	// The stream's logger: these lines are about the stream and keep its logger name.
	private static final Logger logger = LoggerFactory.getLogger(ProxiedStream.class);

	/** Failed creations between two warnings: a minute or more at one try a second. */
	static final int FAILURES_PER_WARNING = 60;

	private final ProxiedStream stream;

	private final ProxiedStreams streams;

	private final PendingFrames pending;

	private final EventLoop loop;

	private LinkPhase phase = LinkPhase.IDLE;

	private @Nullable ClientLink current;

	/** Either the wait before the next try or the wait for CREATE_RESULT. */
	private @Nullable ScheduledFuture<?> timer;

	private long firstTryNanos = -1;

	/** Whether the client closes the current connection itself (and logged why). */
	private boolean closing;

	/**
	 * Creations in a row the proxy refused or left unanswered: the stream asks again for as long as
	 * it lives (a streamtype the proxy lacks is refused once a second).
	 */
	private long failedCreations;

	UpstreamLink(ProxiedStream stream, ProxiedStreams streams, PendingFrames pending, EventLoop loop) {
		this.stream = stream;
		this.streams = streams;
		this.pending = pending;
		this.loop = loop;
	}

	LinkPhase phase() {
		return this.phase;
	}

	@Nullable ClientLink current() {
		return this.current;
	}

	boolean isCurrent(ClientLink link) {
		return this.current == link;
	}

	void connect() {
		this.phase = LinkPhase.CONNECTING;
		if (this.firstTryNanos < 0) {
			this.firstTryNanos = System.nanoTime();
		}
		ClientLink.connect(this.stream, this.streams, this.loop).addListener((future) -> {
			if (!future.isSuccess() && !this.stream.isDestroyed() && this.phase == LinkPhase.CONNECTING
					&& this.current == null) {
				failed(future.cause());
			}
		});
	}

	private void failed(Throwable cause) {
		this.phase = LinkPhase.IDLE;
		long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.firstTryNanos);
		logger.debug("stream {} ({}): proxy {} unreachable after {} ms: {}", this.stream.id(), this.stream.streamType(),
				this.streams.address(), waited, cause.toString());
		if (this.stream.linkRetrying(waited)) {
			return;
		}
		retryLater();
	}

	private void retryLater() {
		cancelTimer();
		this.timer = this.loop.schedule(() -> {
			this.timer = null;
			if (!this.stream.isDestroyed()) {
				connect();
			}
		}, ProxiedStreams.LINK_RETRY.toMillis(), TimeUnit.MILLISECONDS);
	}

	void up(ClientLink up) {
		if (this.stream.isDestroyed() || this.phase != LinkPhase.CONNECTING) {
			up.channel().close();
			return;
		}
		this.current = up;
		this.closing = false;
		this.firstTryNanos = -1;
		this.phase = LinkPhase.WAITING_CREATE_RESULT;
		this.pending.linkReplaced();
		up.channel().write(new ToProxy.StreamType(SsWire.PROTOCOL_VERSION, ProcessHandle.current().pid(),
				this.stream.initialTxCredit(), this.stream.streamType()));
		cancelTimer();
		this.timer = this.loop.schedule(() -> {
			this.timer = null;
			if (this.current == up && this.phase == LinkPhase.WAITING_CREATE_RESULT) {
				String reason = "no CREATE_RESULT within " + ProxiedStreams.CREATE_RESULT_WAIT.toMillis() + " ms";
				hangUp(up, reason + " (" + (this.failedCreations + 1) + " in a row)", creationFailed());
			}
		}, ProxiedStreams.CREATE_RESULT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
		this.stream.pump();
	}

	/**
	 * The proxy answered STREAMTYPE.
	 * @param from the link it came on
	 * @param result the answer
	 * @return whether the proxy created its stream; if not, the link is closed and retried
	 */
	boolean created(ClientLink from, ToClient.CreateResult result) {
		cancelTimer();
		if (result.result() != 0) {
			if (creationFailed()) {
				logger.warn("stream {} ({}): stream creation failed at the proxy {} ({} in a row); "
						+ "retrying every {} ms", this.stream.id(), this.stream.streamType(), this.streams.address(),
						this.failedCreations, ProxiedStreams.LINK_RETRY.toMillis());
			}
			else {
				logger.debug("stream {} ({}): stream creation failed at the proxy {} ({} in a row)", this.stream.id(),
						this.stream.streamType(), this.streams.address(), this.failedCreations);
			}
			this.closing = true;
			from.channel().close();
			return false;
		}
		if (result.names().size() > 3 || result.streamTypes().length() >= 128) {
			hangUp(from, "CREATE_RESULT lists too many streamtypes: " + result.streamTypes());
			return false;
		}
		if (this.failedCreations > 0) {
			logger.info("stream {} ({}): created at the proxy {} after {} failed attempts", this.stream.id(),
					this.stream.streamType(), this.streams.address(), this.failedCreations);
			this.failedCreations = 0;
		}
		this.phase = LinkPhase.LOCAL_CONNECTED;
		return true;
	}

	/**
	 * Counts a failed creation.
	 * @return whether it is worth a warning: the first in a row and every
	 * {@value #FAILURES_PER_WARNING}th, the others are logged at debug level
	 */
	private boolean creationFailed() {
		this.failedCreations++;
		return this.failedCreations == 1 || this.failedCreations % FAILURES_PER_WARNING == 0;
	}

	/**
	 * Follows a state of the onward connection that the proxy reported.
	 * @param state the state
	 */
	void onward(StreamState state) {
		if (state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE
				|| state == StreamState.AUTH_FAILED) {
			this.phase = LinkPhase.LOCAL_CONNECTED;
		}
		else if (state == StreamState.CONNECTED) {
			this.phase = LinkPhase.OPERATIONAL;
		}
	}

	/**
	 * A connection closed.
	 * @param closed the connection
	 * @param unfinishedFrame what was left of a frame the close cut, or {@code null}
	 */
	void closed(ClientLink closed, @Nullable String unfinishedFrame) {
		if (this.current != closed) {
			return;
		}
		if (!this.closing && !this.stream.isDestroyed()) {
			// Else nothing would tell that the proxy went, or that it cut a frame short.
			if (unfinishedFrame != null) {
				logger.warn("stream {} ({}): the proxy closed the link in the middle of a frame ({})",
						this.stream.id(), this.stream.streamType(), unfinishedFrame);
			}
			else {
				logger.info("stream {} ({}): the proxy closed the link", this.stream.id(), this.stream.streamType());
			}
			PendingFrames.RefusedMetadata refused = this.pending.proxyClosedLink();
			if (refused != null && refused.withdrawn()) {
				logger.warn("stream {} ({}): the proxy closed {} links in a row right after metadata '{}' was sent (a "
						+ "name its policy does not declare, or a value it cannot send); the value is kept locally and "
						+ "no longer sent", this.stream.id(), this.stream.streamType(), MetadataRefusals.STRIKES,
						refused.names().get(0));
			}
			else if (refused != null) {
				logger.warn("stream {} ({}): the proxy closed {} links in a row right after metadata {} was sent: one "
						+ "of them is a name its policy does not declare, or a value it cannot send, and the protocol "
						+ "does not say which; the stream keeps sending them and cannot connect until that value is "
						+ "fixed", this.stream.id(), this.stream.streamType(), MetadataRefusals.STRIKES,
						refused.names());
			}
		}
		else {
			this.pending.clientClosedLink();
		}
		this.current = null;
		this.phase = LinkPhase.IDLE;
		if (this.stream.isDestroyed()) {
			return;
		}
		cancelTimer();
		if (this.stream.linkLost()) {
			return;
		}
		retryLater();
	}

	void hangUp(ClientLink from, String reason) {
		hangUp(from, reason, true);
	}

	private void hangUp(ClientLink from, String reason, boolean warn) {
		if (this.current == from) {
			if (warn) {
				logger.warn("stream {} ({}): hanging up the proxy link: {}", this.stream.id(), this.stream.streamType(),
						reason);
			}
			else {
				logger.debug("stream {} ({}): hanging up the proxy link: {}", this.stream.id(),
						this.stream.streamType(), reason);
			}
			this.closing = true;
			from.channel().close();
		}
	}

	/**
	 * Stops for good: cancels the timer and closes the current connection.
	 */
	void close() {
		cancelTimer();
		ClientLink up = this.current;
		this.current = null;
		this.phase = LinkPhase.IDLE;
		if (up != null) {
			up.channel().close();
		}
	}

	private void cancelTimer() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

}
