package io.securestreams;

import io.securestreams.internal.AbstractStream;
import io.securestreams.internal.ClientProtocols;
import io.securestreams.internal.ClientStream;
import io.securestreams.internal.PolicyCatchUp;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.internal.UnappliedKeys;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.server.ListenerStream;
import io.securestreams.server.ServerProtocols;
import io.securestreams.sink.LocalSinks;
import io.securestreams.sink.SinkRegistration;
import io.securestreams.smd.SmdStream;

/**
 * The streams of a context that holds its own policy, as {@code ProxiedStreams} are those of a
 * proxied one: creates them under the active policy (a listener for a server streamtype, else a
 * client stream on the event loop its protocol asks for) and carries the live streams over to a
 * new policy.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class DirectStreams {

	private final StreamsRuntime runtime;

	private final ClientProtocols protocols;

	private final ServerProtocols serverProtocols;

	private final UnappliedKeys unappliedKeys = new UnappliedKeys();

	private final LocalSinks sinks;

	DirectStreams(StreamsRuntime runtime, ClientProtocols protocols, ServerProtocols serverProtocols) {
		this.runtime = runtime;
		this.protocols = protocols;
		this.serverProtocols = serverProtocols;
		this.sinks = new LocalSinks(runtime);
	}

	/**
	 * Creates a stream as {@link SecureStreams#create} describes for a direct context.
	 * @param streamType a streamtype of the active policy
	 * @param handler receives the stream's callbacks
	 * @param initialPeerTxCredit the credit the peer starts with, or 0 for automatic flow control
	 * (only client streams use it)
	 * @return the stream
	 * @throws SecureStreamsException as {@link SecureStreams#create} says
	 */
	SecureStream create(String streamType, StreamHandler handler, int initialPeerTxCredit) {
		Policy active = this.runtime.policy();
		StreamTypePolicy streamTypePolicy = streamType(active, streamType);
		this.unappliedKeys.warnOnce(active, streamTypePolicy);
		if (streamTypePolicy.server()) {
			return caughtUp(ListenerStream.open(this.runtime, streamTypePolicy, handler, this.serverProtocols), active);
		}
		if (streamTypePolicy.localSink()) {
			return caughtUp(this.sinks.createSource(streamTypePolicy, handler), active);
		}
		ClientProtocol protocol = this.protocols.forProtocol(streamTypePolicy.protocol());
		protocol.validate(active, streamTypePolicy);
		Object affinity = protocol.loopAffinity(streamTypePolicy);
		ClientStream stream = new ClientStream(this.runtime, streamTypePolicy, handler,
				(affinity != null) ? this.runtime.transport().loopFor(affinity) : this.runtime.transport().nextLoop(),
				false, initialPeerTxCredit);
		if (stream.deliverCreating() == StreamResult.DESTROY_ME) {
			stream.destroyNow();
			throw new SecureStreamsException("the handler refused stream creation (DESTROY_ME from CREATING) for '"
					+ streamType + "'");
		}
		caughtUp(stream, active);
		stream.startIfNailedUp();
		return stream;
	}

	/**
	 * Applies a policy change that came after {@code create} read the policy and before the new
	 * stream was registered, which {@link #policyChanged} therefore did not see: without this, a
	 * stream of a streamtype the change removed lived on.
	 * @param created the new stream, registered by now
	 * @param createdWith the policy it was created under
	 * @return the stream
	 */
	private SecureStream caughtUp(SecureStream created, Policy createdWith) {
		if (created instanceof AbstractStream stream) {
			PolicyCatchUp.apply(this.runtime, stream, createdWith);
		}
		return created;
	}

	/**
	 * Registers a local sink as {@link SecureStreams#registerSink} describes.
	 * @param streamType a streamtype of the active policy
	 * @param handler the sink's handler
	 * @return the registration
	 */
	SinkRegistration registerSink(String streamType, StreamHandler handler) {
		return this.sinks.register(streamType(this.runtime.policy(), streamType), handler);
	}

	private static StreamTypePolicy streamType(Policy active, String streamType) {
		StreamTypePolicy streamTypePolicy = active.streamType(streamType);
		if (streamTypePolicy == null) {
			throw new SecureStreamsException("unknown streamtype '" + streamType + "'; the policy defines "
					+ active.streamTypes().keySet());
		}
		return streamTypePolicy;
	}

	/**
	 * Carries the live streams over to a new policy: TLS contexts are built again, streams whose
	 * streamtype vanished (or turned to or from a local sink) are destroyed, and those whose
	 * streamtype changed drop their connection.
	 * @param before the policy in force until now
	 * @param after the policy in force from now on
	 */
	void policyChanged(Policy before, Policy after) {
		this.runtime.tls().clear();
		for (AbstractStream stream : this.runtime.streams()) {
			if (stream instanceof SmdStream) {
				// Built in: no policy describes it, so no policy change ends it.
				continue;
			}
			StreamTypePolicy now = after.streamType(stream.streamType());
			if (now == null || !stream.canFollow(now)) {
				stream.destroy();
			}
			else if (PolicyCatchUp.changed(before, after, now)) {
				stream.policyChanged(now);
			}
		}
	}

}
