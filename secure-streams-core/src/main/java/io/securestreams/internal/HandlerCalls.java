package io.securestreams.internal;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's calls into its application handler, with the buffer rules: received payload is lent
 * as a read-only JDK buffer valid only during {@code onRx}; {@code onTx} writes into a buffer's
 * writable bytes through the stream's one reused {@link TxSlot}. A {@code null} result means OK,
 * and a handler that throws gets DISCONNECT_ME, so it cannot break the event loop. Counts the
 * payload bytes that pass. Runs on the stream's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HandlerCalls {

	// The stream's own logger, so that a throwing handler is logged under the stream's name.
	private static final Logger logger = LoggerFactory.getLogger(AbstractStream.class);

	/** What an empty rx delivers, and what the slot holds outside a tx callback. */
	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

	private final AbstractStream stream;

	private final StreamStatistics statistics;

	private final TxSlot txSlot = new TxSlot();

	private volatile StreamHandler handler;

	private int txOrdinal;

	HandlerCalls(AbstractStream stream, StreamHandler handler, StreamStatistics statistics) {
		this.stream = stream;
		this.handler = handler;
		this.statistics = statistics;
	}

	StreamHandler handler() {
		return this.handler;
	}

	void handler(StreamHandler handler) {
		this.handler = handler;
	}

	StreamResult onState(StreamState next, long ack) {
		try {
			return orOk(this.handler.onState(this.stream, next, ack));
		}
		catch (RuntimeException | Error ex) {
			return threw("onState(" + next + ")", ex);
		}
	}

	/**
	 * Lends payload to the handler.
	 * @param data the payload; not released here
	 * @param flags the flags
	 * @return the handler's result
	 */
	StreamResult onRx(ByteBuf data, int flags) {
		int length = data.readableBytes();
		ByteBuffer view = (length == 0) ? EMPTY : data.nioBuffer(data.readerIndex(), length).asReadOnlyBuffer();
		// The connection performance JSON comes out of band of the payload, which alone is counted.
		if (!StreamFlags.has(flags, StreamFlags.PERF_JSON)) {
			this.statistics.received(length);
		}
		try {
			return orOk(this.handler.onRx(this.stream, view, flags));
		}
		catch (RuntimeException | Error ex) {
			return threw("onRx", ex);
		}
	}

	/**
	 * Lets the handler write into a buffer's writable bytes and advances its writer index.
	 * @param buffer the buffer to fill
	 * @param remaining bytes still owed of an announced length, or -1
	 * @return what the handler did
	 */
	TxResult onTx(ByteBuf buffer, long remaining) {
		int capacity = buffer.writableBytes();
		ByteBuffer window = buffer.nioBuffer(buffer.writerIndex(), capacity);
		this.txSlot.reset(window, this.txOrdinal++, remaining);
		StreamResult result;
		try {
			result = orOk(this.handler.onTx(this.stream, this.txSlot));
		}
		catch (RuntimeException | Error ex) {
			result = threw("onTx", ex);
		}
		// Accept a flipped buffer too: position 0 with a shortened limit means "limit bytes".
		int length = (window.position() == 0 && window.limit() < capacity) ? window.limit() : window.position();
		int flags = this.txSlot.flags();
		this.txSlot.reset(EMPTY, 0, -1);
		if (result != StreamResult.OK) {
			return new TxResult(result, flags, 0);
		}
		buffer.writerIndex(buffer.writerIndex() + length);
		this.statistics.sent(length);
		return new TxResult(result, flags, length);
	}

	private static StreamResult orOk(@Nullable StreamResult result) {
		return (result != null) ? result : StreamResult.OK;
	}

	private StreamResult threw(String what, Throwable ex) {
		logger.error("stream {} ({}): handler {} threw; disconnecting", this.stream.id(), this.stream.streamType(),
				what, ex);
		return StreamResult.DISCONNECT_ME;
	}

}
