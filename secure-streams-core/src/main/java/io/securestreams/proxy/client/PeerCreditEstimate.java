package io.securestreams.proxy.client;

/**
 * A proxied stream's estimate of what the peer may still send to it by the credit it granted
 * ({@code lws_ss_get_est_peer_tx_credit}): counted on the client from its initial credit, its
 * grants and the payload it received, as libwebsockets' proxied client counts it, but per
 * transaction, as the proxy applies the credit: it starts again at the initial credit when the
 * proxy reports CONNECTING and is 0 between transactions. Written on the stream's loop, read from
 * any thread.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class PeerCreditEstimate {

	// The credit each transaction starts with; 0 when the proxy applies none.
	private final int initialCredit;

	private boolean underWay;

	private volatile long remaining;

	/**
	 * Creates the estimate of a stream.
	 * @param initialCredit the stream's initial credit, or 0 for automatic flow control
	 */
	PeerCreditEstimate(int initialCredit) {
		this.initialCredit = Math.max(0, initialCredit);
	}

	/** The proxy reported CONNECTING: a transaction starts with the initial credit. */
	void transactionStarted() {
		this.underWay = this.initialCredit > 0;
		this.remaining = this.initialCredit;
	}

	/** The transaction ended, or the link to the proxy went. */
	void transactionEnded() {
		this.underWay = false;
		this.remaining = 0;
	}

	/**
	 * The application granted the peer more credit.
	 * @param delta the bytes, positive
	 */
	void granted(int delta) {
		if (this.underWay) {
			this.remaining += delta;
		}
	}

	/**
	 * Payload arrived from the proxy.
	 * @param bytes the payload's length
	 */
	void received(int bytes) {
		if (this.underWay) {
			this.remaining -= bytes;
		}
	}

	/**
	 * Returns the estimate.
	 * @return the bytes, clipped to the range of an {@code int}
	 */
	int value() {
		return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, this.remaining));
	}

}
