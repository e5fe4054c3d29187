package io.securestreams.proxy;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.securestreams.proxy.wire.FrameType;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.ToClient;
import org.jspecify.annotations.Nullable;

/**
 * What a proxy link has to send to its client, written in libwebsockets' priority order
 * ({@code lws_ssproxy_txp_proxy_can_write}): CREATE_RESULT once, then pending metadata, then
 * performance JSON, then the FIFO of states, payload and credit updates in the order they
 * happened. Metadata overtakes queued states but never a payload frame queued before it: an
 * MQTT topic belongs to the message that follows it, and two messages may be queued before one
 * flush. Frames go to the socket only while it is writable; the rest waits here, which is
 * what {@link #bufferedBytes()} counts. Used on the link's event loop only.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class LinkOutbox {

	private final Channel channel;

	private final Runnable drained;

	private final ChannelFutureListener written;

	private ToClient.@Nullable CreateResult createResult;

	private boolean started;

	private boolean closeAfterCreateResult;

	private final ArrayDeque<ToClient.RxMetadata> metadata = new ArrayDeque<>();

	private final ArrayDeque<ToClient.Perf> perf = new ArrayDeque<>();

	private final ArrayDeque<SsMessage> fifo = new ArrayDeque<>();

	// RX_PAYLOAD frames in the FIFO: while there are any, new metadata queues behind them.
	private int fifoPayloads;

	private volatile long queuedBytes;

	private boolean flushScheduled;

	private volatile long peakBytes;

	// Most bytes held for a client before it counts as one that does not read, and what then.
	private long holdLimit = Long.MAX_VALUE;

	private @Nullable Runnable overflow;

	/**
	 * Creates the outbox of a link.
	 * @param channel the link
	 * @param drained called after queued bytes went to the socket (to resume onward rx)
	 */
	LinkOutbox(Channel channel, Runnable drained) {
		this.channel = channel;
		this.drained = drained;
		// Netty completes a write before it takes the write's bytes off the pending count, so
		// counting what is still held has to wait until the completion returned.
		this.written = (future) -> afterWrite();
	}

	private void afterWrite() {
		try {
			this.channel.eventLoop().execute(this.drained);
		}
		catch (RejectedExecutionException ex) {
			// The proxy is stopping: nothing is left to resume.
		}
	}

	/**
	 * Sends CREATE_RESULT ahead of everything queued so far, and starts sending.
	 * @param result the result
	 * @param closeAfter whether to close the link once it is written (a failed creation)
	 */
	void start(ToClient.CreateResult result, boolean closeAfter) {
		this.createResult = result;
		this.closeAfterCreateResult = closeAfter;
		this.started = true;
		flush();
	}

	/**
	 * Bounds what the link may hold for its client. Payload is bounded where it is produced (by
	 * {@code proxy_buflen}), but states, metadata and credit updates are not: a client that never
	 * reads while it keeps asking for transactions would make them pile up without end.
	 * @param limit the most bytes held (queued here and not yet taken by the socket)
	 * @param onOverflow run once on the link's loop, after a frame took the bytes held past it
	 */
	void holdLimit(long limit, Runnable onOverflow) {
		this.holdLimit = limit;
		this.overflow = onOverflow;
	}

	void metadata(ToClient.RxMetadata message) {
		if (this.fifoPayloads > 0) {
			this.fifo.add(message);
		}
		else {
			this.metadata.add(message);
		}
		queued(message);
	}

	void perf(ToClient.Perf message) {
		this.perf.add(message);
		queued(message);
	}

	void fifo(SsMessage message) {
		this.fifo.add(message);
		if (carriesPayload(message)) {
			this.fifoPayloads++;
		}
		queued(message);
	}

	private void queued(SsMessage message) {
		this.queuedBytes += size(message);
		long now = bufferedBytes();
		if (now > this.peakBytes) {
			this.peakBytes = now;
		}
		if (now > this.holdLimit && this.overflow != null) {
			// Run after the caller (an onward stream's callback, often) has returned, once.
			Runnable hangUp = this.overflow;
			this.overflow = null;
			try {
				this.channel.eventLoop().execute(hangUp);
			}
			catch (RejectedExecutionException ex) {
				// The proxy is stopping: its links are being closed anyway.
			}
		}
		// Frames produced by one read of the onward connection (a 16 KiB read is a dozen RX
		// frames) go to the socket together, in one write system call, once the read is done.
		if (!this.flushScheduled) {
			this.flushScheduled = true;
			this.channel.eventLoop().execute(this::scheduledFlush);
		}
	}

	private void scheduledFlush() {
		this.flushScheduled = false;
		flush();
	}

	/**
	 * Writes queued frames while the link is writable.
	 */
	void flush() {
		if (!this.started || !this.channel.isActive()) {
			return;
		}
		SsMessage last = null;
		boolean wrote = false;
		while (this.channel.isWritable()) {
			if (this.createResult != null) {
				ToClient.CreateResult result = this.createResult;
				this.createResult = null;
				if (this.closeAfterCreateResult) {
					this.channel.writeAndFlush(result).addListener(ChannelFutureListener.CLOSE);
					return;
				}
				this.channel.write(result);
				wrote = true;
				continue;
			}
			SsMessage next = (!this.metadata.isEmpty()) ? this.metadata.poll()
					: (!this.perf.isEmpty()) ? this.perf.poll() : this.fifo.poll();
			if (next == null) {
				break;
			}
			if (carriesPayload(next)) {
				this.fifoPayloads--;
			}
			this.queuedBytes -= size(next);
			if (last != null) {
				this.channel.write(last, this.channel.voidPromise());
			}
			last = next;
			wrote = true;
		}
		if (last != null) {
			// One completion per batch is enough to learn that the client took the bytes.
			this.channel.write(last).addListener(this.written);
		}
		if (wrote) {
			this.channel.flush();
		}
	}

	/**
	 * Returns the bytes held for the client: queued frames and writes the socket has not taken yet.
	 * @return the byte count
	 */
	long bufferedBytes() {
		ChannelOutboundBuffer pending = this.channel.unsafe().outboundBuffer();
		return this.queuedBytes + ((pending != null) ? pending.totalPendingWriteBytes() : 0);
	}

	/**
	 * Returns the bytes queued here and not yet handed to the channel (see {@link #flush()}).
	 * @return the byte count
	 */
	long unsentBytes() {
		return this.queuedBytes;
	}

	long peakBytes() {
		return this.peakBytes;
	}

	/**
	 * Drops everything queued, releasing payload, once the link is closed.
	 */
	void discard() {
		this.fifo.forEach(ReferenceCountUtil::release);
		this.fifo.clear();
		this.fifoPayloads = 0;
		this.metadata.clear();
		this.perf.clear();
		this.queuedBytes = 0;
	}

	static int size(SsMessage message) {
		return message.wireLength();
	}

	private static boolean carriesPayload(SsMessage message) {
		return message.type() == FrameType.RX_PAYLOAD;
	}

}
