package io.securestreams.policy.fetch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.fetch.PolicyFetchResult.Outcome;

/**
 * Collects the body of one fetch transaction (SOM starts it afresh, EOM ends it) and completes
 * when the transaction is acknowledged, or fails with the outcome that ended it.
 *
 * @author Secure Streams contributors
 */
final class FetchHandler implements StreamHandler {

	private final CompletableFuture<byte[]> body = new CompletableFuture<>();

	private final ByteArrayOutputStream received = new ByteArrayOutputStream();

	private final int maxBytes;

	private boolean complete;

	// Whether any rx arrived: a transaction acknowledged without one had an empty body, which
	// is a complete (and invalid) policy, not one cut short.
	private boolean started;

	FetchHandler(int maxBytes) {
		this.maxBytes = maxBytes;
	}

	CompletableFuture<byte[]> body() {
		return this.body;
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		if (StreamFlags.has(flags, StreamFlags.PERF_JSON)) {
			// A fetch streamtype with "perf": connection timings, out of band of the policy body.
			return StreamResult.OK;
		}
		this.started = true;
		if (StreamFlags.has(flags, StreamFlags.SOM)) {
			this.received.reset();
			this.complete = false;
		}
		if (this.received.size() + payload.remaining() > this.maxBytes) {
			return fail(Outcome.FAILED, "the policy is larger than " + this.maxBytes + " bytes");
		}
		byte[] chunk = new byte[payload.remaining()];
		payload.get(chunk);
		this.received.writeBytes(chunk);
		if (StreamFlags.has(flags, StreamFlags.EOM)) {
			this.complete = true;
		}
		return StreamResult.OK;
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		if (state == StreamState.QOS_ACK_REMOTE) {
			if (this.started && !this.complete) {
				return fail(Outcome.FAILED, "the transaction was acknowledged before its body ended");
			}
			this.body.complete(this.received.toByteArray());
			return StreamResult.DESTROY_ME;
		}
		if (state == StreamState.QOS_NACK_REMOTE) {
			int status = stream.info().httpStatus();
			return fail(Outcome.NACK, "the server rejected the request"
					+ ((status != 0) ? " with http " + status : "") + " (QOS_NACK_REMOTE)");
		}
		if (state == StreamState.ALL_RETRIES_FAILED) {
			// A 503 or 429 is a failed attempt that is retried: the retries may have been spent on
			// answers, whose status is what the policy server's operator has to fix. Without one the
			// stream cannot tell a server that is down from one that took the connection and sent
			// no http (an h1 stream is CONNECTED by the answer's head), so the error names both.
			int status = stream.info().httpStatus();
			return fail(Outcome.ALL_RETRIES_FAILED, (status != 0)
					? "no attempt succeeded within the retry budget; the last answer was http " + status
							+ " (ALL_RETRIES_FAILED)"
					: "no attempt got an http answer: the server was unreachable, or it closed the connection or "
							+ "sent no http before a status (ALL_RETRIES_FAILED)");
		}
		if (state == StreamState.TIMEOUT) {
			return fail(Outcome.TIMEOUT, "no complete policy arrived in time (TIMEOUT)");
		}
		if (state == StreamState.DISCONNECTED) {
			return fail(Outcome.FAILED, "the connection dropped after " + this.received.size()
					+ " bytes, before the transaction was acknowledged");
		}
		if (state == StreamState.DESTROYING) {
			fail(Outcome.FAILED, "the fetch stream was destroyed before the policy arrived");
		}
		return StreamResult.OK;
	}

	private StreamResult fail(Outcome outcome, String message) {
		this.body.completeExceptionally(new FetchFailure(outcome, message));
		return StreamResult.DESTROY_ME;
	}

	/**
	 * Why a fetch ended without a body.
	 */
	static final class FetchFailure extends RuntimeException {

		private final Outcome outcome;

		FetchFailure(Outcome outcome, String message) {
			super(message, null, false, false);
			this.outcome = outcome;
		}

		Outcome outcome() {
			return this.outcome;
		}

	}

}
