package io.securestreams.internal;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.Policy;
import io.securestreams.policy.RetryPolicy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ProtocolConnection;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.ConnectionTimings;
import io.securestreams.transport.EndpointResolver;
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
final class ClientAttempt extends AbstractStreamLink<ClientStream> {

	private static final Logger logger = LoggerFactory.getLogger(ClientAttempt.class);

	private enum Phase {

		ACTIVE, CLOSING, DEAD

	}

	private final StreamTypePolicy policy;

	private final @Nullable RetryPolicy retryPolicy;

	private final @Nullable AuthScheme authScheme;

	// The policy the attempt started under, for the streamtypes of the rideshare chain.
	private final Policy active;

	private final @Nullable ConnectionTimings timings;

	// The last target the binding asked for, for the log.
	private @Nullable ConnectTarget target;

	private ProtocolConnection connection = NoConnection.INSTANCE;

	private Phase phase = Phase.ACTIVE;

	private boolean policyChange;

	// The CONNECTED reported next comes before the connection is established (see connectedEarly).
	private boolean connectedEarly;

	ClientAttempt(ClientStream stream, Policy active, StreamTypePolicy policy, @Nullable RetryPolicy retryPolicy,
			@Nullable AuthScheme authScheme) {
		super(stream);
		this.active = active;
		this.policy = policy;
		this.retryPolicy = retryPolicy;
		this.authScheme = authScheme;
		this.timings = policy.perf() ? new ConnectionTimings() : null;
	}

	/** Where the attempt connects first (a binding may move on with {@link #nextTarget()}). */
	void target(ConnectTarget first) {
		this.target = first;
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

	/**
	 * Returns whether the runtime is closing the attempt's connection (a DISCONNECT_ME, a policy
	 * change), whose close the stream has not handled yet.
	 * @return {@code true} while closing
	 */
	boolean isClosing() {
		return this.phase == Phase.CLOSING;
	}

	/**
	 * Marks the attempt closing because the streamtype's policy changed.
	 */
	void closeForPolicyChange() {
		closing();
		this.policyChange = true;
	}

	@Override
	public boolean closingForPolicyChange() {
		return this.policyChange;
	}

	void deactivate() {
		this.phase = Phase.DEAD;
	}

	private boolean closable() {
		return this.phase != Phase.DEAD && this.stream.isCurrent(this);
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
	public @Nullable AuthScheme authScheme() {
		return this.authScheme;
	}

	@Override
	public @Nullable ConnectionTimings timings() {
		return this.timings;
	}

	@Override
	public int initialPeerTxCredit() {
		return this.stream.initialPeerTxCredit();
	}

	@Override
	public int maxPeerTxWindow() {
		return this.stream.maxPeerTxWindow();
	}

	@Override
	public boolean isProxied() {
		return this.stream.isProxied();
	}

	@Override
	public boolean isActive() {
		return this.phase == Phase.ACTIVE && this.stream.isCurrent(this);
	}

	@Override
	protected StreamResult report(StreamState state) {
		// The stream also resets its retry count on CONNECTED (unless it came early) and times
		// transactions.
		boolean established = !(state == StreamState.CONNECTED && this.connectedEarly);
		if (state == StreamState.CONNECTED) {
			this.connectedEarly = false;
		}
		return this.stream.report(this, state, established);
	}

	@Override
	public void connectedEarly() {
		this.connectedEarly = true;
	}

	@Override
	public void established() {
		if (isActive()) {
			this.stream.established();
		}
	}

	@Override
	public ConnectTarget nextTarget() {
		ConnectTarget target = EndpointResolver.resolve(this.policy, this.stream.metadataValues(),
				runtime().policy().viaSocks5(), runtime().transport());
		this.target = target;
		return target;
	}

	@Override
	public void receivedMetadata(String name, byte[] value) {
		if (isActive()) {
			this.stream.receivedMetadata(name, value);
		}
	}

	@Override
	public List<StreamTypePolicy> rideshares() {
		List<StreamTypePolicy> chain = new ArrayList<>();
		Set<String> seen = new HashSet<>(Set.of(this.policy.name()));
		String next = this.policy.rideshare();
		// libwebsockets follows the chain until a streamtype names none; a loop would never end
		// the body, so a streamtype met twice ends the chain here.
		while (next != null && seen.add(next)) {
			StreamTypePolicy rideshare = this.active.streamType(next);
			if (rideshare == null) {
				throw new IllegalStateException("streamtype '" + this.policy.name() + "' rideshares with '" + next
						+ "', which the policy does not define");
			}
			chain.add(rideshare);
			next = rideshare.rideshare();
		}
		return chain;
	}

	@Override
	public void rideshare(String streamType) {
		if (isActive()) {
			this.stream.rideshare(streamType);
		}
	}

	@Override
	public void peerTxCredit(int credit) {
		if (isActive()) {
			this.stream.peerTxCredit(credit);
		}
	}

	@Override
	public void httpStatus(int status) {
		if (isActive()) {
			this.stream.httpStatusReceived(status);
		}
	}

	@Override
	public void connectFailed(Throwable cause) {
		if (closable()) {
			if (this.policyChange) {
				// Cut short by the runtime, which reconnects at once: nothing went wrong.
				logger.debug("stream {} ({}): connection attempt closed for a policy change: {}", this.stream.id(),
						this.stream.streamType(), describe(cause));
			}
			else {
				logger.info("stream {} ({}): connection failed: {}", this.stream.id(), this.stream.streamType(),
						describe(cause));
			}
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
			if (this.phase == Phase.ACTIVE && !this.stream.danglingConnected()) {
				// Not closed by the stream and never connected: the attempt fails (UNREACHABLE)
				// without a connect failure to log. (When the binding cut the connection off for a
				// malformed answer, it logged why before.)
				logger.info("stream {} ({}): the connection to {} ended before the stream was connected",
						this.stream.id(), this.stream.streamType(), this.target);
			}
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

	/** Placeholder connection used before a binding returned one. */
	private static final class NoConnection implements ProtocolConnection {

		static final NoConnection INSTANCE = new NoConnection();

		@Override
		public void requestWrite() {
		}

		@Override
		public void close() {
		}

		@Override
		public @Nullable SocketAddress peerAddress() {
			return null;
		}

	}

}
