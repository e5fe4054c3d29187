package io.securestreams.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.securestreams.ProtocolLimits;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.SystemBlobs;
import io.securestreams.metadata.MetadataValues;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.TxResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection attempt of a {@link ClientStream}, as seen by its protocol binding. It goes
 * inert as soon as the stream moves on, so late events from an old connection are ignored.
 * While the application's DISCONNECT_ME is being carried out it only accepts the close.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ClientAttempt implements StreamLink {

	private static final Logger logger = LoggerFactory.getLogger(ClientAttempt.class);

	private enum Phase {

		ACTIVE, CLOSING, DEAD

	}

	private final ClientStream stream;

	private final StreamTypePolicy policy;

	private final @Nullable RetryPolicy retryPolicy;

	private ProtocolConnection connection = ClientStream.NoConnection.INSTANCE;

	private Phase phase = Phase.ACTIVE;

	ClientAttempt(ClientStream stream, StreamTypePolicy policy, @Nullable RetryPolicy retryPolicy) {
		this.stream = stream;
		this.policy = policy;
		this.retryPolicy = retryPolicy;
	}

	void bind(ProtocolConnection connection) {
		this.connection = connection;
	}

	ProtocolConnection connection() {
		return this.connection;
	}

	void closing() {
		if (this.phase == Phase.ACTIVE) {
			this.phase = Phase.CLOSING;
		}
	}

	void deactivate() {
		this.phase = Phase.DEAD;
	}

	private boolean live() {
		return this.phase == Phase.ACTIVE && this.stream.isCurrent(this);
	}

	private boolean closable() {
		return this.phase != Phase.DEAD && this.stream.isCurrent(this);
	}

	@Override
	public long streamId() {
		return this.stream.id();
	}

	@Override
	public StreamTypePolicy policy() {
		return this.policy;
	}

	@Override
	public @Nullable RetryPolicy retryPolicy() {
		return this.retryPolicy;
	}

	@Override
	public ProtocolLimits limits() {
		return this.stream.runtime.limits();
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
		return this.stream.runtime.blobs();
	}

	@Override
	public boolean isProxied() {
		return this.stream.isProxied();
	}

	@Override
	public boolean isActive() {
		return live();
	}

	@Override
	public boolean txRequested() {
		return live() && this.stream.txRequested();
	}

	@Override
	public boolean takeTxRequest() {
		return live() && this.stream.takeTxRequest();
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
		if (!live()) {
			return TxResult.NOTHING;
		}
		this.stream.takeTxRequest();
		long length = this.stream.txLength();
		TxResult result = this.stream.deliverTx(buffer, length);
		afterCallback(result.result());
		return result;
	}

	@Override
	public StreamResult state(StreamState state) {
		if (!live()) {
			return StreamResult.DISCONNECT_ME;
		}
		StreamResult result = this.stream.report(this, state);
		afterCallback(result);
		return result;
	}

	@Override
	public StreamResult rx(ByteBuf data, int flags) {
		if (!live()) {
			return StreamResult.DISCONNECT_ME;
		}
		StreamResult result = this.stream.deliverRx(data, flags);
		afterCallback(result);
		return result;
	}

	private void afterCallback(StreamResult result) {
		if (result == StreamResult.DESTROY_ME || result == StreamResult.DISCONNECT_ME) {
			this.stream.act(result);
		}
	}

	@Override
	public void receivedMetadata(String name, byte[] value) {
		if (live()) {
			this.stream.receivedMetadata(name, value);
		}
	}

	@Override
	public void connectFailed(Throwable cause) {
		if (closable()) {
			logger.info("stream {} ({}): connection failed: {}", this.stream.id(), this.stream.streamType(),
					describe(cause));
			this.stream.attemptFailed(this, 0);
		}
	}

	@Override
	public void retryLater(long minDelayMillis) {
		if (closable()) {
			this.stream.attemptFailed(this, minDelayMillis);
		}
	}

	@Override
	public void closed(boolean reconnect) {
		if (closable()) {
			this.stream.attemptClosed(this, reconnect);
		}
	}

	private static String describe(Throwable cause) {
		Throwable root = cause;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = cause.getClass().getSimpleName() + ": " + cause.getMessage();
		return (root != cause) ? message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")"
				: message;
	}

}
