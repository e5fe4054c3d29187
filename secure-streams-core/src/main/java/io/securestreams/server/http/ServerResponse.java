package io.securestreams.server.http;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.securestreams.StreamFlags;
import io.securestreams.metadata.MetadataHeaders;
import io.securestreams.protocol.TxResult;
import io.securestreams.server.ServerLink;
import io.securestreams.transport.WriteStallWatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response of one http transaction, as the handler drives it; subclasses put it on the wire
 * of their protocol. The head (status from {@code serverAck}, 404 when it was never called; a
 * header for every metadata that maps to one and has a value) goes out together with the first
 * bytes the handler sends, so the handler may still change status and metadata until its first
 * {@code onTx} that returns OK; metadata never sets {@code content-length} or
 * {@code transfer-encoding}. The body length:
 * <ul>
 * <li>with {@code requestTxLen(n)}: {@code n} ({@code n == 0} sends the head alone without
 * calling {@code onTx}); the body ends after {@code n} bytes or at EOM;</li>
 * <li>without a length, if the first write carries EOM: the length of that write;</li>
 * <li>otherwise unknown until EOM.</li>
 * </ul>
 * While the body is open the handler is called again by itself; TX_DONT_SEND waits for the next
 * {@code requestTx}. A body that ends before the length it announced closes the connection.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class ServerResponse {

	private static final Logger logger = LoggerFactory.getLogger(ServerResponse.class);

	private static final int TX_CHUNK = 16 * 1024;

	/** The accepted stream whose handler supplies the response. */
	protected final ServerLink link;

	/** The channel the response is written to. */
	protected final Channel channel;

	private final boolean headRequest;

	private final Runnable onDone;

	private boolean started;

	private boolean done;

	private long length = -1;

	private long bodySent;

	/** Whether a pump is queued on the event loop after a write of flags alone. */
	private boolean pumpQueued;

	/** The body buffer between its allocation and its hand-over to {@link #writeBody}. */
	private @Nullable ByteBuf inHand;

	/** Bounds the wait for a client that takes none of the responses on the channel. */
	private final WriteStallWatch stall;

	/**
	 * Creates the response of one request.
	 * @param link the accepted stream
	 * @param channel where the response goes
	 * @param headRequest whether the request was HEAD (the head alone is sent)
	 * @param onDone run once the whole response has been written
	 * @param stall the channel's watch (see {@link #stallWatch}), shared by the responses written
	 * to it one after the other
	 */
	protected ServerResponse(ServerLink link, Channel channel, boolean headRequest, Runnable onDone,
			WriteStallWatch stall) {
		this.link = link;
		this.channel = channel;
		this.headRequest = headRequest;
		this.onDone = onDone;
		this.stall = stall;
	}

	/**
	 * Returns the watch of a channel that responses are written to. A client that sends requests
	 * and never reads the answers would hold the connection (or, on h2, the stream whose window it
	 * never opens), and the server's memory with it, for as long as it likes: after the handshake
	 * timeout without taking any of what is written, the client is cut off, and the accepted
	 * stream ends as when the client goes.
	 * @param link the accepted stream
	 * @param cutOff ends the channel's exchange with the client (closes a connection, resets an h2
	 * stream)
	 * @return a watch for the channel of that stream's responses
	 */
	public static WriteStallWatch stallWatch(ServerLink link, Consumer<Channel> cutOff) {
		return new WriteStallWatch(() -> link.limits().handshakeTimeout(), () -> true, (ch) -> {
			logger.warn("{}: the client took none of the response for {} ms; closing", link.describe(),
					link.limits().handshakeTimeout().toMillis());
			cutOff.accept(ch);
		});
	}

	/**
	 * Returns whether the head has been written.
	 * @return {@code true} once the head is out
	 */
	public boolean started() {
		return this.started;
	}

	/**
	 * Returns whether the whole response has been written.
	 * @return {@code true} once complete
	 */
	public boolean done() {
		return this.done;
	}

	/**
	 * Writes what the handler has for the body, as described above.
	 */
	public final void pump() {
		if (this.channel.isWritable()) {
			// The channel took what stood before it: whatever stall was watched has ended.
			this.stall.cancel();
		}
		if (this.done || !this.channel.isActive() || (!this.started && !this.link.txRequested())) {
			return;
		}
		try {
			pumpBody();
		}
		catch (RuntimeException ex) {
			fail(ex);
		}
	}

	// Nothing a handler sets is known to get here (values are checked when set), but a response
	// that cannot be written must not leave its buffer or its connection hanging.
	private void fail(RuntimeException ex) {
		if (this.inHand != null) {
			this.inHand.release();
			this.inHand = null;
		}
		logger.error("{}: the response could not be written; closing the connection", this.link.describe(), ex);
		this.done = true;
		abort();
	}

	private void pumpBody() {
		boolean wrote = false;
		while (!this.done && this.channel.isWritable() && this.link.isActive()) {
			long announced = this.started ? this.length : this.link.txLength();
			int status = this.link.responseStatus();
			if (!this.started && (announced == 0 || this.headRequest || isBodiless(status))) {
				this.link.takeTxRequest();
				this.link.txLengthConsumed();
				// HEAD and 304: the length GET would have, when the handler announced one;
				// otherwise none (a content-length of 0 would claim an empty body). 204: none.
				long length = (this.headRequest || status == 304) ? announced : 0;
				head((status == 204) ? -1 : length, true);
				complete();
				return;
			}
			int capacity = (announced >= 0) ? (int) Math.min(TX_CHUNK, announced - this.bodySent) : TX_CHUNK;
			ByteBuf buffer = this.channel.alloc().ioBuffer(capacity, capacity);
			this.inHand = buffer;
			TxResult result = this.link.tx(buffer, (announced >= 0) ? announced - this.bodySent : -1);
			if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
				this.inHand = null;
				buffer.release();
				break;
			}
			boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM)
					|| (announced >= 0 && this.bodySent + result.length() >= announced);
			if (!this.started) {
				this.link.txLengthConsumed();
				head((announced >= 0) ? announced : (eom ? result.length() : -1), false);
			}
			if (result.length() == 0 && !eom) {
				// Only flags (a SOM before the bytes are there): libwebsockets asks again, as after
				// any write without EOM, at its next turn. Asking again here would spin for as long
				// as the handler has nothing, since such a write leaves the channel writable, and
				// hold every other connection of the event loop: the next call comes on a task.
				this.inHand = null;
				buffer.release();
				wrote = true;
				pumpLater();
				break;
			}
			this.bodySent += result.length();
			boolean truncated = eom && this.length >= 0 && this.bodySent < this.length;
			this.inHand = null;
			writeBody(buffer, eom && !truncated);
			if (truncated) {
				logger.error("{}: the response body ended (EOM) after {} of the {} bytes announced; closing",
						this.link.describe(), this.bodySent, this.length);
				this.done = true;
				this.channel.flush();
				abort();
				return;
			}
			wrote = true;
			if (eom) {
				complete();
				return;
			}
		}
		if (wrote) {
			flush();
		}
		watchStall();
	}

	private void pumpLater() {
		if (!this.pumpQueued) {
			this.pumpQueued = true;
			this.channel.eventLoop().execute(() -> {
				this.pumpQueued = false;
				pump();
			});
		}
	}

	/**
	 * Answers without a body, when the handler did not take charge of the response.
	 */
	public final void respondWithoutBody() {
		if (!this.started && !this.done) {
			try {
				head(isBodiless(this.link.responseStatus()) ? -1 : 0, true);
				complete();
			}
			catch (RuntimeException ex) {
				fail(ex);
			}
		}
	}

	/**
	 * Returns whether a status answers without content whatever the request: 204 (No Content)
	 * and 304 (Not Modified), whose head ends the response (RFC 9110 15.3.5 and 15.4.5). Their
	 * handler is not asked for a body, and a 204 carries no content-length.
	 * @param status the status
	 * @return {@code true} for 204 and 304
	 */
	public static boolean isBodiless(int status) {
		return status == 204 || status == 304;
	}

	private void head(long contentLength, boolean last) {
		this.started = true;
		this.length = contentLength;
		writeHead(this.link.responseStatus(), contentLength, last);
	}

	private void complete() {
		this.done = true;
		finish();
		// The end of the response may still wait for the client to read it (a connection that
		// closes after it closes only once it is written).
		watchStall();
		this.onDone.run();
	}

	private void watchStall() {
		this.stall.update(this.channel, this.channel.isActive() && !this.channel.isWritable());
	}

	/**
	 * Calls {@code header} for every response header the stream's metadata gives: each declared
	 * metadata name mapped to a header name that has a value and, with {@code direct_proto_str},
	 * each raw header the handler set ({@code "x-served-by:"}). {@code content-length} and
	 * {@code transfer-encoding} are left out: the response frames its body itself (see above), and
	 * a second framing header from metadata (headers copied from an upstream response, say) would
	 * contradict it, so that the client misreads where the body ends.
	 * @param header receives the header name and value; the value holds the bytes the handler set,
	 * one char per byte, as Netty writes header values (so they go out unchanged)
	 */
	protected final void forEachMetadataHeader(BiConsumer<String, CharSequence> header) {
		MetadataHeaders.forEachBytes(this.link.policy(), this.link.metadata(), (name, value) -> {
			if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
					|| HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
				logger.debug("{}: leaving out the metadata header '{}'; the response frames its body itself",
						this.link.describe(), name);
			}
			else {
				header.accept(name, new AsciiString(value));
			}
		});
	}

	/**
	 * Whether a content length may be sent ({@code http_no_content_length} not set).
	 * @param contentLength the length, or -1 when unknown
	 * @return {@code true} when the length is known and may be sent
	 */
	protected final boolean sendsContentLength(long contentLength) {
		return contentLength >= 0 && !this.link.policy().http().noContentLength();
	}

	/**
	 * Flushes what {@link #pump()} wrote while the body stays open.
	 */
	protected void flush() {
		this.channel.flush();
	}

	/**
	 * Writes (without flushing) the response head.
	 * @param status the status
	 * @param contentLength the body length, or -1 when unknown
	 * @param last whether no body follows
	 */
	protected abstract void writeHead(int status, long contentLength, boolean last);

	/**
	 * Writes (without flushing) a piece of the body; takes ownership of it.
	 * @param data the piece
	 * @param last whether it ends the body
	 */
	protected abstract void writeBody(ByteBuf data, boolean last);

	/**
	 * Ends the response and flushes it.
	 */
	protected abstract void finish();

	/**
	 * Gives up on a response that cannot be completed correctly.
	 */
	protected abstract void abort();

}
