package io.securestreams.protocol.http;

import java.util.function.BooleanSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.protocol.StreamLink;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import org.jspecify.annotations.Nullable;

/**
 * The http transactions of a stream, one at a time, as libwebsockets' {@code ss-h1.c} runs them
 * for h1 and h2 alike: the request the policy describes and its body from {@code onTx}; then
 * the response head (interim answers skipped, redirects followed by the caller, 503 and 429
 * retried later, headers mapped to metadata and any {@code http_resp_map} state before
 * CONNECTED); the body with SOM on its first piece and a zero-length EOM (with
 * {@code http_multipart_ss_in}, a multipart body as its parts, see {@link MultipartParts}); QOS_ACK_REMOTE or
 * QOS_NACK_REMOTE. A response head that does not come within the context's response timeout
 * closes the channel ({@link ResponseWait}). What happens to the connection afterwards is the caller's: each step says
 * what the transaction needs from it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class HttpTransaction {

	/** What a response event means for the caller. */
	public enum Step {

		/** Nothing for the caller to do; more of the response follows. */
		CONTINUE,

		/** The application's result stops the connection (the runtime is closing it). */
		STOPPED,

		/** The server asked to retry later: see {@link #retryAfterMillis()}. */
		RETRY_LATER,

		/** A redirect response has been read: go on at {@link #takeRedirect()}. */
		REDIRECT,

		/** The transaction completed and its result was reported. */
		COMPLETE

	}

	/** Most redirects followed in one chain. */
	public static final int MAX_REDIRECTS = HttpRedirects.MAX_REDIRECTS;

	private final StreamLink link;

	private final HttpRequestWriter writer;

	private final HttpRedirects redirects;

	private final HttpResponseHead head;

	private final ResponseWait responseWait;

	private @Nullable PolicyRequest request;

	private boolean inProgress;

	private boolean connectedReported;

	private boolean somDelivered;

	private boolean skipping;

	/** The parts of a multipart response, with {@code http_multipart_ss_in}; else {@code null}. */
	private @Nullable MultipartParts parts;

	/**
	 * Whether a 303 in the current redirect chain turned the request into a GET without a body,
	 * as RFC 9110 section 15.4.4 asks and libwebsockets does: the hops after it stay GETs.
	 */
	private boolean seeOther;

	/**
	 * Creates the transactions of one stream's connection attempt.
	 * @param link the stream's link
	 * @param tlsConfigured whether the streamtype configures TLS, so redirects may lead to https
	 */
	public HttpTransaction(StreamLink link, boolean tlsConfigured) {
		this.link = link;
		this.responseWait = new ResponseWait(link);
		this.writer = new HttpRequestWriter(link, this.responseWait);
		this.redirects = new HttpRedirects(link, tlsConfigured);
		this.head = new HttpResponseHead(link, this.redirects);
	}

	/**
	 * Starts a transaction, or continues one at a redirect's target: sends the request's head and
	 * as much of its body as the channel takes. CONNECTED carries over from the hops before.
	 * @param ch the channel the request goes on
	 * @param target where it goes
	 * @param hops how many redirects led to {@code target}
	 * @return {@code false} when the application's result stopped the connection
	 * @throws IllegalStateException when a system blob or metadata the request needs is missing
	 */
	public boolean start(Channel ch, ConnectTarget target, int hops) {
		this.seeOther = this.seeOther && hops > 0;
		this.request = PolicyRequest.build(this.link, target, this.seeOther);
		this.inProgress = true;
		this.connectedReported = this.connectedReported && hops > 0;
		this.somDelivered = false;
		this.skipping = false;
		this.parts = null;
		if (!this.writer.start(ch, this.request)) {
			return true;
		}
		// A proxied client only sends its body after CONNECTED, so report it once headers are out,
		// before the connection proves established.
		if (this.link.isProxied() && !this.connectedReported) {
			this.link.connectedEarly();
			if (reportConnected()) {
				return false;
			}
		}
		this.writer.pump(ch, this.request);
		return true;
	}

	/**
	 * The request head is on its way but may be held back before it goes out (an h2 stream
	 * waiting for a slot under the server's concurrency limit): the response timeout starts only
	 * once it has gone out, while {@code slotComing} says it can; otherwise it runs as usual.
	 * @param written the head's write
	 * @param slotComing whether the head can still go out (a slot will free up)
	 */
	public void headPending(ChannelFuture written, BooleanSupplier slotComing) {
		this.responseWait.headPending(written, slotComing);
	}

	/**
	 * Sends more of an open request body, while the channel is writable.
	 * @param ch the channel of the transaction
	 */
	public void pump(@Nullable Channel ch) {
		if (this.writer.isBodyOpen()) {
			this.writer.pump(ch, this.request);
		}
	}

	/**
	 * Watches an open request body for a server that takes none of it, without asking the
	 * application for more (its TX_DONT_SEND waits for its next request to send).
	 * @param ch the channel of the transaction
	 */
	public void watchStall(Channel ch) {
		if (this.writer.isBodyOpen()) {
			this.writer.watchStall(ch);
		}
	}

	/**
	 * Reads a response head.
	 * @param response the head
	 * @param target where the request went
	 * @param hops how many redirects led to {@code target}
	 * @param rxOnly whether the stream turns rx-only once the response starts ({@code long_poll}):
	 * an open request body is ended there
	 * @param ch the channel of the transaction
	 * @return {@link Step#CONTINUE}, {@link Step#STOPPED} or {@link Step#RETRY_LATER}
	 */
	public Step onResponse(HttpResponse response, ConnectTarget target, int hops, boolean rxOnly, Channel ch) {
		boolean awaited = this.responseWait.isWaiting();
		this.responseWait.cancel();
		ConnectionTimings timings = this.link.timings();
		if (timings != null) {
			timings.responseStarted(response.status().code());
		}
		switch (this.head.read(response, this.request, target, hops)) {
			case INTERIM -> {
				// A 100 or 103 is not the answer: once the request is out, the final head is due
				// within a new timeout, or a server that sends one and then nothing would hold the
				// stream for good. (A 100 before the body is out leaves the body its own time.)
				if (awaited) {
					this.responseWait.requestWritten(ch);
				}
				this.skipping = true;
			}
			case REDIRECT -> {
				if (response.status().code() == 303) {
					this.seeOther = true;
					// The rest of a body the server did not wait for is not sent.
					this.writer.dropBody(this.request);
				}
				this.skipping = true;
			}
			case RETRY_LATER -> {
				this.inProgress = false;
				return Step.RETRY_LATER;
			}
			case FINAL -> {
				this.link.established();
				if (reportConnected()) {
					return Step.STOPPED;
				}
				if (this.link.policy().http().multipartIn()) {
					this.parts = MultipartParts.of(response, this.link::rx);
					if (this.parts != null && stops(this.parts.start())) {
						return Step.STOPPED;
					}
				}
				if (rxOnly) {
					this.writer.endBody(ch, this.request);
				}
			}
			case STOPPED -> {
				// The application stopped at the http_resp_map state; CONNECTED is not reported.
				return Step.STOPPED;
			}
		}
		return Step.CONTINUE;
	}

	/**
	 * Reads a piece of the response body; the last one ends the response.
	 * @param content the piece
	 * @return {@link Step#CONTINUE}, {@link Step#STOPPED}, {@link Step#REDIRECT} or
	 * {@link Step#COMPLETE}
	 */
	public Step onContent(HttpContent content) {
		if (!this.inProgress) {
			// The rest of an answer the transaction already ended at (a 503 retried later) read
			// before the channel closed: it neither reaches the application nor completes anything.
			return Step.CONTINUE;
		}
		boolean last = content instanceof LastHttpContent;
		if (this.skipping) {
			if (!last) {
				return Step.CONTINUE;
			}
			this.skipping = false;
			return this.redirects.hasPending() ? Step.REDIRECT : Step.CONTINUE;
		}
		ByteBuf data = content.content();
		MultipartParts multipart = this.parts;
		if (multipart != null) {
			// Each part is a message of its own, so the body gets no zero-length EOM of its own.
			if (stops(multipart.feed(data)) || (last && stops(multipart.end()))) {
				return Step.STOPPED;
			}
			return last ? complete() : Step.CONTINUE;
		}
		if (data.isReadable()) {
			int flags = this.somDelivered ? 0 : StreamFlags.SOM;
			this.somDelivered = true;
			if (stops(this.link.rx(data, flags))) {
				return Step.STOPPED;
			}
		}
		return last ? complete() : Step.CONTINUE;
	}

	private Step complete() {
		if (this.somDelivered && stops(this.link.rx(Unpooled.EMPTY_BUFFER, StreamFlags.EOM))) {
			return Step.STOPPED;
		}
		this.inProgress = false;
		this.writer.completed(this.request);
		StreamState result = this.head.isGood() ? StreamState.QOS_ACK_REMOTE : StreamState.QOS_NACK_REMOTE;
		return stops(this.link.state(result)) ? Step.STOPPED : Step.COMPLETE;
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
		return stops(this.link.state(StreamState.CONNECTED));
	}

	/**
	 * Returns where the redirect just read leads, and forgets it.
	 * @return the next hop, or {@code null}
	 */
	public @Nullable ConnectTarget takeRedirect() {
		return this.redirects.takePending();
	}

	/**
	 * Returns the delay the last 503 or 429 asked for.
	 * @return milliseconds, 0 when the server named none
	 */
	public long retryAfterMillis() {
		return this.head.retryAfterMillis();
	}

	/**
	 * Returns whether the transaction that completed succeeded and the server keeps the
	 * connection for the next one.
	 * @return {@code true} when the connection may carry another transaction
	 */
	public boolean mayContinue() {
		return this.head.isGood() && this.head.isKeepAlive() && !this.writer.isBodyOpen();
	}

	/**
	 * Returns whether a transaction has started and not completed.
	 * @return {@code true} between {@link #start} and the result
	 */
	public boolean inProgress() {
		return this.inProgress;
	}

	/**
	 * Returns whether a transaction has started and not reported CONNECTED yet: no final answer
	 * has begun (with {@code http_resp_map}, none was acted on).
	 * @return {@code true} from {@link #start} until CONNECTED, unless the transaction ended
	 */
	public boolean awaitsAnswer() {
		return this.inProgress && !this.connectedReported;
	}

	/**
	 * Returns whether a request body is being sent.
	 * @return {@code true} until the body has ended or was abandoned
	 */
	public boolean isBodyOpen() {
		return this.writer.isBodyOpen();
	}

	/** Stops sending the request body, because the connection is being closed. */
	public void abandonBody() {
		this.writer.abandonBody();
		this.responseWait.cancel();
	}

	/**
	 * Returns whether an application's result means the stream is done with the connection (the
	 * runtime is already closing it), so the binding stops processing it.
	 * @param result the result of a state or rx callback
	 * @return {@code true} for DESTROY_ME and DISCONNECT_ME
	 */
	public static boolean stops(StreamResult result) {
		return result == StreamResult.DESTROY_ME || result == StreamResult.DISCONNECT_ME;
	}

}
