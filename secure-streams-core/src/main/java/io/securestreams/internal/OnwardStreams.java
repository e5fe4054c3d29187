package io.securestreams.internal;

import io.netty.channel.EventLoop;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ClientProtocol;
import org.jspecify.annotations.Nullable;

/**
 * Creates a proxy's onward streams: client streams of a context that are fulfilled on behalf of
 * a proxied client ({@code LWSSSINFLAGS_PROXIED}), pinned to the event loop of the client's link,
 * or, for streamtypes whose streams share a connection (MQTT), to the loop of that connection.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class OnwardStreams {

	private OnwardStreams() {
	}

	/**
	 * Returns the event loop an onward stream of a streamtype must live on, for streamtypes whose
	 * streams share connections on one loop (MQTT): the loop direct streams of the streamtype use.
	 * @param context the context whose policy and transport fulfil the stream
	 * @param streamType the streamtype the client asked for
	 * @return the loop, or {@code null} when the streamtype has no such loop (it is unknown, a
	 * server, or its streams may live on any loop, such as the link's)
	 * @throws SecureStreamsException when the streamtype's protocol is not supported
	 */
	public static @Nullable EventLoop affinityLoop(SecureStreams context, String streamType) {
		return affinityLoop(context, context.policy(), streamType);
	}

	/**
	 * Returns the {@link #affinityLoop(SecureStreams, String)} of a streamtype as a given policy
	 * (the one the caller read) defines it.
	 * @param context the context whose transport fulfils the stream
	 * @param active the policy the caller read
	 * @param streamType the streamtype the client asked for
	 * @return the loop, or {@code null} when the streamtype has no such loop
	 * @throws SecureStreamsException when the streamtype's protocol is not supported
	 */
	public static @Nullable EventLoop affinityLoop(SecureStreams context, Policy active, String streamType) {
		StreamsRuntime runtime = ContextAccess.runtime(context);
		StreamTypePolicy policy = active.streamType(streamType);
		if (policy == null || policy.server()) {
			return null;
		}
		Object affinity = runtime.clientProtocol(policy.protocol()).loopAffinity(policy);
		return (affinity != null) ? runtime.transport().loopFor(affinity) : null;
	}

	/**
	 * Creates an onward stream; CREATING goes to the handler before this returns, and a nailed-up
	 * streamtype starts connecting.
	 * @param context the context whose policy and transport fulfil the stream
	 * @param streamType the streamtype the client asked for
	 * @param handler receives the stream's callbacks
	 * @param loop the event loop to pin the stream to: the {@link #affinityLoop} when the
	 * streamtype has one, else any (the proxy uses its link's); a local sink streamtype's source
	 * lives on its pair's loop instead, whatever this says
	 * @return the stream: a client stream, or for a {@code local_sink} streamtype the source of a
	 * pair with the sink registered in this process
	 * @throws SecureStreamsException when the streamtype is unknown, is a server, cannot be
	 * carried (an unsupported protocol, or a loop other than its {@link #affinityLoop}), is a local
	 * sink without a registered sink or refused by it, the handler refused the creation, or the
	 * context is shut down
	 */
	public static OnwardStream create(SecureStreams context, String streamType, StreamHandler handler,
			EventLoop loop) {
		return create(context, context.policy(), streamType, handler, loop, 0);
	}

	/**
	 * Creates an onward stream as {@link #create(SecureStreams, String, StreamHandler, EventLoop)}
	 * does, from a policy the caller read earlier (so that what it derived from that policy, such
	 * as buffer sizes, matches the stream); changes made since then reach the stream as they reach
	 * every live stream.
	 * @param context the context whose transport fulfils the stream
	 * @param active the policy the caller read, the context's active one or an earlier one
	 * @param streamType the streamtype the client asked for
	 * @param handler receives the stream's callbacks
	 * @param loop the event loop to pin the stream to (see the other form)
	 * @param initialPeerTxCredit the credit the client gives the peer on each h2 stream, or 0 for
	 * automatic flow control (see {@link SecureStreams#create(String, StreamHandler, int)})
	 * @return the stream
	 * @throws SecureStreamsException as the other form does
	 */
	public static OnwardStream create(SecureStreams context, Policy active, String streamType, StreamHandler handler,
			EventLoop loop, int initialPeerTxCredit) {
		// Counted as the context's own creations are: refused once it is shut down, and waited for
		// by a shutdown that starts meanwhile (a STREAMTYPE may arrive while it stops).
		return ContextAccess.creation(context,
				() -> createNow(context, active, streamType, handler, loop, initialPeerTxCredit));
	}

	private static OnwardStream createNow(SecureStreams context, Policy active, String streamType,
			StreamHandler handler, EventLoop loop, int initialPeerTxCredit) {
		StreamsRuntime runtime = ContextAccess.runtime(context);
		StreamTypePolicy policy = active.streamType(streamType);
		if (policy == null) {
			throw new SecureStreamsException("unknown streamtype '" + streamType + "'");
		}
		if (policy.server()) {
			throw new SecureStreamsException("streamtype '" + streamType + "' is a server streamtype");
		}
		if (policy.localSink()) {
			// The source of a pair with the sink registered in the proxy's process, on the loop
			// the pair lives on; it fails when no sink is registered or the sink refuses it.
			return (OnwardStream) context.create(streamType, handler);
		}
		ClientProtocol protocol = runtime.clientProtocol(policy.protocol());
		protocol.validate(active, policy);
		Object affinity = protocol.loopAffinity(policy);
		if (affinity != null && runtime.transport().loopFor(affinity) != loop) {
			// Its streams share connections on one event loop, and only there.
			throw new SecureStreamsException("streamtype '" + streamType + "' uses protocol '"
					+ policy.protocol().jsonName() + "', whose streams must live on the loop of their connection");
		}
		ClientStream stream = new ClientStream(runtime, policy, handler, loop, true, initialPeerTxCredit);
		if (stream.deliverCreating() == StreamResult.DESTROY_ME) {
			stream.destroyNow();
			throw new SecureStreamsException("the onward stream of '" + streamType + "' refused its creation");
		}
		// A policy change between reading the policy above and the registration in CREATING did
		// not find this stream: a streamtype it removed must not keep an onward stream.
		PolicyCatchUp.apply(runtime, stream, active);
		stream.startIfNailedUp();
		return stream;
	}

}
