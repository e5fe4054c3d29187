package io.securestreams.connectivity;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStream;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;

/**
 * Turns the states of one detection stream into its result, as libwebsockets' detection stream
 * does: QOS_ACK_REMOTE means the internet is there; a rejected transaction whose answer was a
 * redirect, on a streamtype with {@code http_fail_redirect}, means a captive portal; TIMEOUT,
 * ALL_RETRIES_FAILED or DISCONNECTED before an acknowledgement mean no internet. The first result
 * sticks, and the stream then destroys itself.
 *
 * @author Secure Streams contributors
 */
final class DetectionHandler implements StreamHandler {

	private final CompletableFuture<Connectivity> result = new CompletableFuture<>();

	private final boolean failRedirect;

	DetectionHandler(boolean failRedirect) {
		this.failRedirect = failRedirect;
	}

	CompletableFuture<Connectivity> result() {
		return this.result;
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		return StreamResult.OK;
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		if (state == StreamState.QOS_ACK_REMOTE) {
			return done(Connectivity.INTERNET_OK);
		}
		if (state == StreamState.QOS_NACK_REMOTE) {
			return (this.failRedirect && redirected(stream)) ? done(Connectivity.CAPTIVE_PORTAL) : StreamResult.OK;
		}
		if (state == StreamState.TIMEOUT || state == StreamState.ALL_RETRIES_FAILED
				|| state == StreamState.DISCONNECTED) {
			return done(Connectivity.NO_INTERNET);
		}
		if (state == StreamState.DESTROYING) {
			this.result.complete(Connectivity.UNKNOWN);
		}
		return StreamResult.OK;
	}

	// The statuses the http binding treats as redirects: 304, 300 or 305 are not sent by a
	// portal and, as in libwebsockets, are a failed transaction, not a captive portal.
	private static boolean redirected(SecureStream stream) {
		return switch (stream.info().httpStatus()) {
			case 301, 302, 303, 307, 308 -> true;
			default -> false;
		};
	}

	private StreamResult done(Connectivity connectivity) {
		this.result.complete(connectivity);
		return StreamResult.DESTROY_ME;
	}

}
