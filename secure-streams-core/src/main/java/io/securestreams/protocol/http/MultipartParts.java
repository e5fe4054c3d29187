package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import org.jspecify.annotations.Nullable;

/**
 * Splits a multipart response body into its parts for a streamtype with
 * {@code http_multipart_ss_in}, as libwebsockets' {@code ss-h1.c} does: each part reaches the
 * application as one message, SOM on its first piece and EOM on its last, the last part's EOM
 * with {@code RELATED_END}; what comes before the first delimiter and after the closing one is
 * dropped. As in libwebsockets, a part is delivered whole, its header lines included. The body
 * may be cut anywhere: bytes that could begin a delimiter are held back until the next piece
 * tells.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class MultipartParts {

	private enum Phase {

		/** Before the first delimiter. */
		PREAMBLE,

		/** Inside a part. */
		PART,

		/** Just after a delimiter: "--" closes the body, anything else starts a part. */
		AFTER_DELIMITER,

		/** After the closing delimiter. */
		EPILOGUE

	}

	private final byte[] delimiter;

	private final BiFunction<ByteBuf, Integer, StreamResult> rx;

	private Phase phase = Phase.PREAMBLE;

	/** Bytes not yet known to be part data: a line break stands for the start of the body. */
	private byte[] held = { '\r', '\n' };

	/** The end of the part a delimiter closed, delivered once it is known whether it was the last. */
	private byte @Nullable [] closedTail;

	/** The byte read just before, after a delimiter; 0 right after it. */
	private byte afterDelimiter;

	private boolean partStarted;

	/** Whether {@code RELATED_END} was delivered. */
	private boolean groupEnded;

	private MultipartParts(String boundary, BiFunction<ByteBuf, Integer, StreamResult> rx) {
		this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
		this.rx = rx;
	}

	/**
	 * Returns the splitter of a response, when it is multipart with a boundary.
	 * @param response the response head
	 * @param rx delivers a piece of a part with its flags to the application
	 * @return the splitter, or {@code null} when the response is no multipart one
	 */
	static @Nullable MultipartParts of(HttpResponse response, BiFunction<ByteBuf, Integer, StreamResult> rx) {
		String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
		if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
			return null;
		}
		for (String parameter : type.split(";")) {
			String[] pair = parameter.trim().split("=", 2);
			if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("boundary")) {
				String boundary = pair[1].trim();
				if (boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
					boundary = boundary.substring(1, boundary.length() - 1);
				}
				return boundary.isEmpty() ? null : new MultipartParts(boundary, rx);
			}
		}
		return null;
	}

	/**
	 * Tells the application that a group of related messages starts (a zero-length
	 * {@code RELATED_START}).
	 * @return the application's result
	 */
	StreamResult start() {
		return this.rx.apply(Unpooled.EMPTY_BUFFER, StreamFlags.RELATED_START);
	}

	/**
	 * Reads a piece of the body.
	 * @param data the piece
	 * @return the first result other than OK the application gave, or OK
	 */
	StreamResult feed(ByteBuf data) {
		byte[] piece = ByteBufUtil.getBytes(data);
		byte[] bytes = Arrays.copyOf(this.held, this.held.length + piece.length);
		System.arraycopy(piece, 0, bytes, this.held.length, piece.length);
		this.held = new byte[0];
		int at = 0;
		while (at < bytes.length && this.phase != Phase.EPILOGUE) {
			if (this.phase == Phase.AFTER_DELIMITER) {
				Boolean last = null;
				while (last == null && at < bytes.length) {
					last = afterDelimiter(bytes[at++]);
				}
				if (last == null) {
					break;
				}
				StreamResult result = endClosedPart(last);
				this.phase = last ? Phase.EPILOGUE : Phase.PART;
				if (result != StreamResult.OK) {
					return result;
				}
				continue;
			}
			int found = indexOf(bytes, at);
			if (found >= 0) {
				this.closedTail = (this.phase == Phase.PART) ? Arrays.copyOfRange(bytes, at, found) : null;
				this.phase = Phase.AFTER_DELIMITER;
				at = found + this.delimiter.length;
				continue;
			}
			// No delimiter: what could be the start of one waits for the next piece.
			int keep = Math.max(at, bytes.length - (this.delimiter.length - 1));
			this.held = Arrays.copyOfRange(bytes, keep, bytes.length);
			if (this.phase == Phase.PART && keep > at) {
				return deliver(Arrays.copyOfRange(bytes, at, keep), 0);
			}
			return StreamResult.OK;
		}
		return StreamResult.OK;
	}

	/**
	 * The body ended: a part still open (a body cut short of its closing delimiter) ends there. A
	 * body without parts ends the group {@link #start()} began with a zero-length
	 * {@code RELATED_END}.
	 * @return the application's result
	 */
	StreamResult end() {
		StreamResult result = StreamResult.OK;
		if (this.phase == Phase.AFTER_DELIMITER) {
			result = endClosedPart(true);
		}
		else if (this.phase == Phase.PART) {
			result = deliver(this.held, StreamFlags.EOM | StreamFlags.RELATED_END);
		}
		this.phase = Phase.EPILOGUE;
		if (result != StreamResult.OK || this.groupEnded) {
			return result;
		}
		this.groupEnded = true;
		return this.rx.apply(Unpooled.EMPTY_BUFFER, StreamFlags.RELATED_END);
	}

	/**
	 * Reads a byte of what follows a delimiter: "--" closes the body; transport padding (spaces
	 * and tabs, RFC 2046 section 5.1.1) and the line break end the delimiter line, and the next
	 * part starts after them. Anything else is malformed; the next part starts after it.
	 * @return whether the body is closed, or {@code null} while the line goes on
	 */
	private @Nullable Boolean afterDelimiter(byte b) {
		byte previous = this.afterDelimiter;
		this.afterDelimiter = b;
		if ((previous == 0 && b == '-') || b == ' ' || b == '\t' || b == '\r') {
			return null;
		}
		this.afterDelimiter = 0;
		return previous == '-' && b == '-';
	}

	private StreamResult endClosedPart(boolean last) {
		byte[] tail = this.closedTail;
		this.closedTail = null;
		if (tail == null) {
			// The first delimiter: nothing before it is a part.
			return StreamResult.OK;
		}
		return deliver(tail, StreamFlags.EOM | (last ? StreamFlags.RELATED_END : 0));
	}

	private StreamResult deliver(byte[] bytes, int flags) {
		int all = flags | (this.partStarted ? 0 : StreamFlags.SOM);
		this.partStarted = !StreamFlags.has(flags, StreamFlags.EOM);
		this.groupEnded = StreamFlags.has(flags, StreamFlags.RELATED_END);
		return this.rx.apply(Unpooled.wrappedBuffer(bytes), all);
	}

	private int indexOf(byte[] bytes, int from) {
		outer: for (int i = from; i <= bytes.length - this.delimiter.length; i++) {
			for (int j = 0; j < this.delimiter.length; j++) {
				if (bytes[i + j] != this.delimiter[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
