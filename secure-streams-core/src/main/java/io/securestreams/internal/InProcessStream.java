package io.securestreams.internal;

import java.net.SocketAddress;

import io.netty.channel.EventLoop;
import io.securestreams.StreamHandler;
import io.securestreams.StreamRole;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * A stream served inside the process, with no network connection: a local sink pair's side or a
 * system message stream. It has no peer address, no connection validity to confirm, and nothing
 * to reconnect when the policy changes (it only takes the new policy).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public abstract class InProcessStream extends AbstractStream {

	/**
	 * Creates the stream.
	 * @param runtime the context internals
	 * @param policy the streamtype
	 * @param handler the application's handler
	 * @param role the role
	 * @param loop the event loop the stream lives on
	 */
	protected InProcessStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, StreamRole role,
			EventLoop loop) {
		super(runtime, policy, handler, role, loop);
	}

	/**
	 * Returns nothing: there is no network peer.
	 * @return {@code null}
	 */
	@Override
	public final @Nullable SocketAddress peerAddress() {
		return null;
	}

	/** Does nothing: there is no connection to check. */
	@Override
	public final void validityConfirmed() {
	}

	/**
	 * Takes the streamtype's new policy (its {@code timeout_ms}, its metadata names) for what the
	 * stream does from now on; there is no connection to drop.
	 * @param changed the streamtype's new policy
	 */
	@Override
	public final void policyChanged(StreamTypePolicy changed) {
		execute(() -> {
			this.policy = changed;
			this.metadata.policy(changed);
		});
	}

}
