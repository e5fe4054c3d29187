package io.securestreams.protocol;

import java.util.List;

import io.netty.handler.ssl.SslContext;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import org.jspecify.annotations.Nullable;

/**
 * A wire protocol that carries client streams. One call of {@link #connect} is one connection
 * attempt; the binding reports its progress through the {@link StreamLink}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface ClientProtocol {

	/**
	 * Starts a connection attempt. Called on the stream's event loop; must not block.
	 * @param target where to connect
	 * @param tls the TLS context when {@code target.tls()} is set
	 * @param connector opens the channel with its proxy and TLS layers
	 * @param link the runtime side of this attempt
	 * @return the handle the runtime uses to drive the connection
	 */
	ProtocolConnection connect(ConnectTarget target, @Nullable SslContext tls, Connector connector, StreamLink link);

	/**
	 * Returns a key that makes streams share an event loop: streams whose streamtypes give equal
	 * keys are placed on the same loop, so a binding can let them share one connection without
	 * crossing threads (MQTT does this).
	 * @param policy the streamtype
	 * @return the key, or {@code null} for no preference (streams are spread round robin)
	 */
	default @Nullable Object loopAffinity(StreamTypePolicy policy) {
		return null;
	}

	/**
	 * Checks, when a stream is created, that the streamtype can be carried by this binding
	 * under the given policy, so that mistakes show up at creation rather than as failed
	 * connection attempts.
	 * @param policy the active policy
	 * @param streamType the streamtype of the stream being created
	 * @throws io.securestreams.SecureStreamsException with the reason when it cannot
	 */
	default void validate(Policy policy, StreamTypePolicy streamType) {
	}

	/**
	 * Checks a change of the policy in force (an overlay, a replaced policy) before it takes
	 * effect, for mistakes between streamtypes that the change brings and that
	 * {@link #validate} would only find when a stream is created, or not at all for the live
	 * streams whose next connection the change decides.
	 * @param before the policy in force
	 * @param after the policy the change makes
	 * @return the problems the change brings, empty when it brings none
	 */
	default List<PolicyProblem> checkChange(Policy before, Policy after) {
		return List.of();
	}

	/**
	 * Tells the binding that a client stream was destroyed, so it can forget state it kept for
	 * the stream across connection attempts. Every binding is told about every destroyed client
	 * stream, on the stream's event loop, after the stream's current connection, if any, was
	 * closed.
	 * @param streamId the id the stream's links reported
	 */
	default void streamDestroyed(long streamId) {
	}

	/**
	 * Returns the ALPN protocols to offer over TLS.
	 * @return the protocol ids, empty for none
	 */
	default java.util.List<String> alpn() {
		return java.util.List.of();
	}

	/**
	 * Returns the ALPN protocols to offer over TLS for a stream of the given streamtype, for
	 * bindings whose offer depends on the policy (MQTT offers one only with {@code aws_iot}).
	 * @param policy the streamtype of the attempt
	 * @return the protocol ids, empty for none; {@link #alpn()} unless overridden
	 */
	default java.util.List<String> alpn(StreamTypePolicy policy) {
		return alpn();
	}

}
