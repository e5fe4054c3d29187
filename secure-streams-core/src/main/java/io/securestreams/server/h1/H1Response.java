package io.securestreams.server.h1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.securestreams.StreamFlags;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.protocol.TxResult;
import io.securestreams.server.ServerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response of one http transaction. The head (status from {@code serverAck}, 404 when it
 * was never called; a header for every metadata that maps to one and has a value) goes out
 * together with the first bytes the handler sends, so the handler may still change status and
 * metadata until its first {@code onTx} that returns OK. Body framing:
 * <ul>
 * <li>with {@code requestTxLen(n)}: {@code content-length: n} (unless
 * {@code http_no_content_length}); {@code n == 0} sends the head alone without calling
 * {@code onTx}; the body ends after {@code n} bytes or at EOM;</li>
 * <li>without a length, if the first write carries EOM: {@code content-length} of that write;</li>
 * <li>otherwise chunked transfer encoding until EOM (close-delimited for an HTTP/1.0 client).</li>
 * </ul>
 * While the body is open the handler is called again by itself; TX_DONT_SEND waits for the next
 * {@code requestTx}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H1Response {

	private static final Logger logger = LoggerFactory.getLogger(H1Response.class);

	private static final int TX_CHUNK = 16 * 1024;

	private final ServerLink link;

	private final Channel channel;

	private final HttpVersion version;

	private final boolean headRequest;

	private final Runnable onDone;

	private boolean keepAlive;

	private boolean started;

	private boolean done;

	private long length = -1;

	private long bodySent;

	H1Response(ServerLink link, Channel channel, HttpRequest request, Runnable onDone) {
		this.link = link;
		this.channel = channel;
		this.version = request.protocolVersion();
		this.headRequest = HttpMethod.HEAD.equals(request.method());
		this.keepAlive = HttpUtil.isKeepAlive(request);
		this.onDone = onDone;
	}

	boolean started() {
		return this.started;
	}

	boolean done() {
		return this.done;
	}

	/**
	 * Writes what the handler has for the body, as described above.
	 */
	void pump() {
		if (this.done || !this.channel.isActive() || (!this.started && !this.link.txRequested())) {
			return;
		}
		boolean wrote = false;
		while (!this.done && this.channel.isWritable() && this.link.isActive()) {
			long announced = this.started ? this.length : this.link.txLength();
			if (!this.started && (announced == 0 || this.headRequest)) {
				this.link.takeTxRequest();
				this.link.txLengthConsumed();
				writeHead(Math.max(announced, 0));
				finish();
				return;
			}
			int capacity = (announced >= 0) ? (int) Math.min(TX_CHUNK, announced - this.bodySent) : TX_CHUNK;
			ByteBuf buffer = this.channel.alloc().ioBuffer(capacity, capacity);
			TxResult result = this.link.tx(buffer);
			if (!result.send() || (result.length() == 0 && result.flags() == 0)) {
				buffer.release();
				break;
			}
			boolean eom = StreamFlags.has(result.flags(), StreamFlags.EOM)
					|| (announced >= 0 && this.bodySent + result.length() >= announced);
			if (!this.started) {
				this.link.txLengthConsumed();
				writeHead((announced >= 0) ? announced : (eom ? result.length() : -1));
			}
			this.bodySent += result.length();
			this.channel.write(new DefaultHttpContent(buffer));
			wrote = true;
			if (eom && this.length >= 0 && this.bodySent < this.length) {
				logger.error("{}: the response body ended (EOM) after {} of the {} bytes announced; closing",
						this.link.describe(), this.bodySent, this.length);
				this.done = true;
				this.channel.flush();
				this.channel.close();
				return;
			}
			if (eom) {
				finish();
				return;
			}
		}
		if (wrote) {
			this.channel.flush();
		}
	}

	/**
	 * Answers without a body, when the handler did not take charge of the response.
	 */
	void respondWithoutBody() {
		if (!this.started && !this.done) {
			writeHead(0);
			finish();
		}
	}

	private void writeHead(long contentLength) {
		this.started = true;
		this.length = contentLength;
		HttpResponse response = new DefaultHttpResponse(this.version,
				HttpResponseStatus.valueOf(this.link.responseStatus()));
		for (MetadataDeclaration declaration : this.link.policy().metadata()) {
			String value = declaration.isMapped() ? this.link.metadata().text(declaration.name()) : null;
			if (value != null) {
				response.headers().set(declaration.headerName(), value);
			}
		}
		if (contentLength >= 0 && !this.link.policy().http().noContentLength()) {
			HttpUtil.setContentLength(response, contentLength);
		}
		else if (this.version.isKeepAliveDefault()) {
			HttpUtil.setTransferEncodingChunked(response, true);
		}
		else {
			this.keepAlive = false;
		}
		HttpUtil.setKeepAlive(response, this.keepAlive);
		this.channel.write(response);
	}

	private void finish() {
		this.done = true;
		if (this.keepAlive) {
			this.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
		}
		else {
			this.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
		}
		this.onDone.run();
	}

}
