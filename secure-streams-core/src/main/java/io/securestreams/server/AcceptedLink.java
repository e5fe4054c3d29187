package io.securestreams.server;

import io.securestreams.internal.AbstractStreamLink;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ServerLink} of one {@link AcceptedStream}. It goes inert once the stream is gone,
 * so a binding's late events are ignored.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class AcceptedLink extends AbstractStreamLink<AcceptedStream> implements ServerLink {

	AcceptedLink(AcceptedStream stream) {
		super(stream);
	}

	@Override
	public StreamTypePolicy policy() {
		return this.stream.currentPolicy();
	}

	@Override
	public @Nullable RetryPolicy retryPolicy() {
		return runtime().policy().retryFor(this.stream.currentPolicy());
	}

	@Override
	public boolean isProxied() {
		return false;
	}

	@Override
	public boolean isActive() {
		return !this.stream.isGone();
	}

	@Override
	public void receivedMetadata(String name, byte[] value) {
		if (isActive()) {
			this.stream.metadataValues().setReceived(name, value);
		}
	}

	@Override
	public void connectFailed(Throwable cause) {
		this.stream.peerGone();
	}

	@Override
	public void retryLater(long minDelayMillis) {
		this.stream.peerGone();
	}

	@Override
	public void closed(boolean reconnect) {
		this.stream.peerGone();
	}

	@Override
	public void newTransaction() {
		if (isActive()) {
			this.stream.newTransaction();
		}
	}

	@Override
	public int responseStatus() {
		return this.stream.responseStatus();
	}

	@Override
	public boolean responseRequested() {
		return this.stream.responseRequested();
	}

	@Override
	public ServerLink handOver() {
		return this.stream.handOver();
	}

	@Override
	public String describe() {
		return this.stream.describe();
	}

}
