package io.securestreams.auth;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;

/**
 * One token request on the auth streamtype's stream: sends the refresh payload as the body (SOM
 * on the first piece, EOM on the last), collects the answer from SOM to EOM, and completes with
 * it once the transaction is acknowledged, or fails with the state that ended it.
 *
 * @author Secure Streams contributors
 */
final class TokenExchangeHandler implements StreamHandler {

	/** Largest answer read; a token response is a few kilobytes. */
	static final int MAX_ANSWER = 64 * 1024;

	private final CompletableFuture<byte[]> answer = new CompletableFuture<>();

	private final ByteArrayOutputStream received = new ByteArrayOutputStream();

	private final byte[] payload;

	private int sent;

	private boolean bodyDone;

	TokenExchangeHandler(byte[] payload) {
		this.payload = payload;
	}

	CompletableFuture<byte[]> answer() {
		return this.answer;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		if (this.bodyDone) {
			return StreamResult.TX_DONT_SEND;
		}
		int length = Math.min(slot.capacity(), this.payload.length - this.sent);
		slot.buffer().put(this.payload, this.sent, length);
		int flags = (this.sent == 0) ? StreamFlags.SOM : 0;
		this.sent += length;
		this.bodyDone = this.sent == this.payload.length;
		slot.flags(this.bodyDone ? flags | StreamFlags.EOM : flags);
		return StreamResult.OK;
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer data, int flags) {
		if (StreamFlags.has(flags, StreamFlags.SOM)) {
			this.received.reset();
		}
		if (this.received.size() + data.remaining() > MAX_ANSWER) {
			return fail("the token answer is larger than " + MAX_ANSWER + " bytes");
		}
		byte[] chunk = new byte[data.remaining()];
		data.get(chunk);
		this.received.writeBytes(chunk);
		return StreamResult.OK;
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		if (state == StreamState.CONNECTING && this.sent > 0) {
			// A retry (after a 503, or a connection lost after the body went out) sends it again.
			this.sent = 0;
			this.bodyDone = false;
			this.received.reset();
			stream.requestTxLen(this.payload.length);
			return StreamResult.OK;
		}
		if (state == StreamState.QOS_ACK_REMOTE) {
			this.answer.complete(this.received.toByteArray());
			return StreamResult.DESTROY_ME;
		}
		if (state == StreamState.QOS_NACK_REMOTE) {
			// The status says what a redirect or an empty error answer would not.
			int status = stream.info().httpStatus();
			return fail("the token server rejected the request" + ((status > 0) ? " with status " + status : "") + ": "
					+ excerpt());
		}
		if (state == StreamState.ALL_RETRIES_FAILED || state == StreamState.TIMEOUT
				|| state == StreamState.DISCONNECTED || state == StreamState.DESTROYING) {
			return fail("no token: the stream ended with " + state);
		}
		return StreamResult.OK;
	}

	private String excerpt() {
		String text = this.received.toString(java.nio.charset.StandardCharsets.UTF_8);
		return (text.length() > 200) ? text.substring(0, 200) + "..." : text;
	}

	private StreamResult fail(String message) {
		this.answer.completeExceptionally(new IllegalStateException(message));
		return StreamResult.DESTROY_ME;
	}

}
