package io.securestreams.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.securestreams.ProtocolLimits;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ServerLink} of one {@link AcceptedStream}. It goes inert once the stream is gone,
 * so a binding's late events are ignored.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class AcceptedLink implements ServerLink {

	private final AcceptedStream stream;

	private final StreamsRuntime runtime;

	AcceptedLink(AcceptedStream stream, StreamsRuntime runtime) {
		this.stream = stream;
		this.runtime = runtime;
	}

	@Override
	public long streamId() {
		return this.stream.id();
	}

	@Override
	public StreamTypePolicy policy() {
		return this.stream.currentPolicy();
	}

	@Override
	public @Nullable RetryPolicy retryPolicy() {
		return this.runtime.policy().retryFor(this.stream.currentPolicy());
	}

	@Override
	public ProtocolLimits limits() {
		return this.runtime.limits();
	}

	@Override
	public EventLoop eventLoop() {
		return this.stream.eventLoop();
	}

	@Override
	public MetadataValues metadata() {
		return this.stream.metadataValues();
	}

	@Override
	public SystemBlobs blobs() {
		return this.runtime.blobs();
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
	public boolean txRequested() {
		return isActive() && this.stream.txRequested();
	}

	@Override
	public boolean takeTxRequest() {
		return isActive() && this.stream.takeTxRequest();
	}

	@Override
	public long txLength() {
		return this.stream.txLength();
	}

	@Override
	public void txLengthConsumed() {
		this.stream.txLengthConsumed();
	}

	@Override
	public TxResult tx(ByteBuf buffer) {
		return isActive() ? this.stream.tx(buffer) : TxResult.NOTHING;
	}

	@Override
	public StreamResult state(StreamState state) {
		return isActive() ? this.stream.report(state) : StreamResult.DISCONNECT_ME;
	}

	@Override
	public StreamResult rx(ByteBuf data, int flags) {
		return isActive() ? this.stream.rx(data, flags) : StreamResult.DISCONNECT_ME;
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
