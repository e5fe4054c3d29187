package io.securestreams.protocol.http;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.protocol.StreamLink;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the wait for a response head once a request is completely written, as libwebsockets
 * does with its {@code PENDING_TIMEOUT_AWAITING_SERVER_RESPONSE} of {@code timeout_secs}: a
 * server that takes the request and never answers would otherwise hold the stream for as long as
 * the connection lives (the policy's {@code timeout_ms} is the application's own, optional,
 * timer). When the wait ends the channel (the h1 connection, or the h2 stream) is closed, and the
 * stream goes on as when the server closes it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ResponseWait {

	private static final Logger logger = LoggerFactory.getLogger(ResponseWait.class);

	private final StreamLink link;

	private @Nullable ScheduledFuture<?> timer;

	ResponseWait(StreamLink link) {
		this.link = link;
	}

	/** The request went out completely on {@code ch}: the response head is due. */
	void requestWritten(Channel ch) {
		cancel();
		long millis = this.link.limits().responseTimeout().toMillis();
		this.timer = ch.eventLoop().schedule(() -> expired(ch, millis), millis, TimeUnit.MILLISECONDS);
	}

	/** A response head (or an interim answer) arrived, or the transaction ended otherwise. */
	void cancel() {
		ScheduledFuture<?> pending = this.timer;
		if (pending != null) {
			this.timer = null;
			pending.cancel(false);
		}
	}

	private void expired(Channel ch, long millis) {
		this.timer = null;
		if (ch.isActive()) {
			logger.warn("no response from {} within {} ms for streamtype '{}'; closing", ch.remoteAddress(), millis,
					this.link.policy().name());
			ch.close();
		}
	}

}
