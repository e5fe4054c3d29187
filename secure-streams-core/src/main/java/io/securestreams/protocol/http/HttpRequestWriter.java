package io.securestreams.protocol.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.securestreams.StreamFlags;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import io.securestreams.transport.ConnectionTimings;
import io.securestreams.transport.WriteStallWatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the requests of an http connection (h1, or one h2 stream): the head, then the body from
 * the application's {@code onTx} in chunks of at most {@link #TX_CHUNK} bytes, never past the
 * length the head announced ({@code requestTxLen}'s, or a content-length from metadata). The body
 * ends at EOM or when that length is sent; an EOM before that closes the connection, since the
 * server was promised more. While the body is open the writer is pumped again whenever the
 * channel turns writable or the application asks to send.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class HttpRequestWriter {

	private static final Logger logger = LoggerFactory.getLogger(HttpRequestWriter.class);

	private static final int TX_CHUNK = 16 * 1024;

	private final StreamLink link;

	private final ResponseWait responseWait;

	/** Bounds the wait for a server that takes none of an open body (see {@link #stalled}). */
	private final WriteStallWatch stall;

	private boolean bodyOpen;

	private long bodySent;

	/** The request's {@link PolicyRequest#bodyLimit}: fixed when the head went out. */
	private long bodyLimit = -1;

	/** The body part being sent, with {@link PolicyRequest#parts}. */
	private int part;

	/** The request whose body is being sent, for a pump asked for on a later task. */
	private @Nullable PolicyRequest sending;

	/** Whether a pump is queued on the event loop for an empty write without EOM. */
	private boolean pumpQueued;

	/**
	 * Creates the writer of one connection's requests.
	 * @param link the stream's link
	 * @param responseWait told when a request is completely written
	 */
	HttpRequestWriter(StreamLink link, ResponseWait responseWait) {
		this.link = link;
		this.responseWait = responseWait;
		this.stall = new WriteStallWatch(() -> link.limits().responseTimeout(), () -> this.bodyOpen, this::stalled);
	}

	/**
	 * A server that stops reading (or, on h2, never opens its window) would hold the stream for as
	 * long as the connection lives: the response timeout starts only once the request is complete.
	 * Closing the connection (h1) or the h2 stream fails the attempt as when the server closes it.
	 */
	private void stalled(Channel ch) {
		logger.warn("{} took none of the request body for {} ms (streamtype '{}'); closing", ch.remoteAddress(),
				this.link.limits().responseTimeout().toMillis(), this.link.policy().name());
		ch.close();
	}

	/**
	 * Writes a request's head, and its first part's head; a request without a body is complete.
	 * @param ch the connection's channel
	 * @param request the request
	 * @return whether a body follows, to be sent by {@link #pump}
	 */
	boolean start(Channel ch, PolicyRequest request) {
		this.bodySent = 0;
		this.bodyLimit = request.bodyLimit;
		this.part = 0;
		this.sending = request;
		ConnectionTimings timings = this.link.timings();
		if (timings != null) {
			timings.requestSent();
		}
		HttpRequest head = request.request;
		if (request.body == PolicyRequest.Body.NONE) {
			// One complete message: on h2 the HEADERS frame carries END_STREAM, which some servers
			// (nghttp2's, the reason for libwebsockets' nghttp2_quirk_end_stream) wait for.
			ch.writeAndFlush(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
					Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE));
			this.responseWait.requestWritten(ch);
			return false;
		}
		ch.write(head);
		this.bodyOpen = true;
		startPart(ch, request);
		ch.flush();
		return true;
	}

	/**
	 * Returns whether a request body is being sent.
	 * @return {@code true} until the body has ended or was abandoned
	 */
	boolean isBodyOpen() {
		return this.bodyOpen;
	}

	/** Stops sending the body, because the connection is being closed. */
	void abandonBody() {
		this.bodyOpen = false;
		this.stall.cancel();
	}

	/**
	 * Stops sending a body the server answered before it was complete, and counts its announced
	 * length as used, so that the next transaction does not take it for its own.
	 * @param request the request whose body this is
	 */
	void dropBody(@Nullable PolicyRequest request) {
		if (this.bodyOpen) {
			this.bodyOpen = false;
			this.stall.cancel();
			if (request != null) {
				this.link.txLengthConsumed(request.lengthSerial);
			}
		}
	}

	/**
	 * Counts the announced length of a request whose transaction completed as used, so that the
	 * next transaction does not take it for its own. Only then, as libwebsockets clears it: a
	 * transaction tried again (after a 503, or a connection that ended before the answer) sends
	 * its body with the same length. A body the server answered in full before it was complete
	 * (an early 200 or 413) stays open: the rest is never sent, and the connection is not kept
	 * for another transaction.
	 * @param request the request of the transaction
	 */
	void completed(@Nullable PolicyRequest request) {
		if (request != null) {
			this.link.txLengthConsumed(request.lengthSerial);
		}
	}

	/**
	 * Ends an open body where it is, with the multipart epilogue if any, and sends nothing more
	 * (an h2 long-poll stream goes rx-only once the response has started).
	 * @param ch the channel the body goes to
	 * @param request the request whose body this is
	 */
	void endBody(Channel ch, PolicyRequest request) {
		if (this.bodyOpen) {
			finishBody(ch, request);
		}
	}

	/**
	 * Sends what the application has for the open body while the channel is writable.
	 * @param ch the connection's channel
	 * @param request the request whose body this is
	 */
	void pump(@Nullable Channel ch, @Nullable PolicyRequest request) {
		if (ch != null && ch.isWritable()) {
			// The channel took what stood before it: whatever stall was watched has ended.
			this.stall.cancel();
		}
		while (this.bodyOpen && ch != null && ch.isWritable() && this.link.isActive()) {
			// The limit the head announced, not the stream's current length: a requestTxLen
			// made while this body goes out is for the next message.
			long announced = this.bodyLimit;
			int capacity = TX_CHUNK;
			long left = -1;
			if (announced >= 0) {
				left = announced - this.bodySent;
				if (left <= 0) {
					finishBody(ch, request);
					break;
				}
				capacity = (int) Math.min(TX_CHUNK, left);
			}
			ByteBuf buffer = ch.alloc().ioBuffer(capacity, capacity);
			TxResult result = this.link.tx(buffer, left);
			if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
				// Nothing to send now (or a zero-length write, swallowed so we do not spin).
				buffer.release();
				break;
			}
			boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM);
			if (result.length() == 0 && !eom) {
				// Only flags (a SOM before the bytes are there): libwebsockets asks again, as after
				// any write without EOM, at its next turn. Asking again here would spin for as long
				// as the handler has nothing, as such a write leaves the channel writable, holding
				// every other stream of the event loop: the next call comes on a task of its own.
				buffer.release();
				pumpLater(ch, request);
				break;
			}
			this.bodySent += result.length();
			if (buffer.isReadable()) {
				ch.write(new DefaultHttpContent(buffer));
			}
			else {
				buffer.release();
			}
			if (eom && request != null && request.parts != null && this.part + 1 < request.parts.count()
					&& (announced < 0 || this.bodySent < announced)) {
				// The end of a part whose rideshare chain goes on: the next part follows.
				this.part++;
				startPart(ch, request);
				continue;
			}
			if (eom && announced >= 0 && this.bodySent < announced) {
				logger.error("http body ended (EOM) after {} of the {} bytes announced; closing", this.bodySent,
						announced);
				ch.close();
				return;
			}
			if (eom || (announced >= 0 && this.bodySent >= announced)) {
				finishBody(ch, request);
				break;
			}
		}
		if (ch != null) {
			ch.flush();
			watchStall(ch);
		}
	}

	private void pumpLater(Channel ch, @Nullable PolicyRequest request) {
		if (!this.pumpQueued) {
			this.pumpQueued = true;
			ch.eventLoop().execute(() -> {
				this.pumpQueued = false;
				// Only for the body it was asked for: that one may have ended, and another begun.
				if (this.sending == request && this.bodyOpen) {
					pump(ch, request);
				}
			});
		}
	}

	/**
	 * Starts or stops watching the body for a server that takes none of it, by where it stands.
	 * @param ch the channel the body goes to
	 */
	void watchStall(Channel ch) {
		// A head held back for an h2 slot is not the server refusing the body: not timed here.
		this.stall.update(ch, this.bodyOpen && !ch.isWritable() && ch.isActive()
				&& !this.responseWait.isHeadHeldBack());
	}

	// Writes the current part's head, and tells the stream whose payload the part carries.
	private void startPart(Channel ch, PolicyRequest request) {
		RequestParts parts = request.parts;
		if (parts == null) {
			this.link.rideshare(this.link.policy().name());
			return;
		}
		RequestParts.Part current = parts.part(this.part);
		if (current.head().length > 0) {
			ch.write(new DefaultHttpContent(Unpooled.wrappedBuffer(current.head())));
		}
		this.link.rideshare(current.streamType());
	}

	private void finishBody(Channel ch, @Nullable PolicyRequest request) {
		this.bodyOpen = false;
		this.stall.cancel();
		RequestParts parts = (request != null) ? request.parts : null;
		if (parts != null) {
			// The announced length was reached before the last part: the parts left go out empty,
			// so that the body keeps the length its head announced.
			for (int next = this.part + 1; next < parts.count(); next++) {
				ch.write(new DefaultHttpContent(Unpooled.wrappedBuffer(parts.part(next).head())));
			}
			if (parts.tail().length > 0) {
				ch.write(new DefaultHttpContent(Unpooled.wrappedBuffer(parts.tail())));
			}
		}
		ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
		this.responseWait.requestWritten(ch);
	}

}
