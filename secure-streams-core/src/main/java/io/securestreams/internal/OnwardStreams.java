package io.securestreams.internal;

import io.netty.channel.EventLoop;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.policy.StreamTypePolicy;

/**
 * Creates a proxy's onward streams: client streams of a context that are fulfilled on behalf of
 * a proxied client ({@code LWSSSINFLAGS_PROXIED}), pinned to the event loop of the client's link.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class OnwardStreams {

	private OnwardStreams() {
	}

	/**
	 * Creates an onward stream; CREATING goes to the handler before this returns, and a nailed-up
	 * streamtype starts connecting.
	 * @param context the context whose policy and transport fulfil the stream
	 * @param streamType the streamtype the client asked for
	 * @param handler receives the stream's callbacks
	 * @param loop the event loop to pin the stream to
	 * @return the stream
	 * @throws SecureStreamsException when the streamtype is unknown, is a server, cannot be carried,
	 * or the handler refused the creation
	 */
	public static ClientStream create(SecureStreams context, String streamType, StreamHandler handler,
			EventLoop loop) {
		StreamsRuntime runtime = ContextAccess.runtime(context);
		StreamTypePolicy policy = runtime.policy().streamType(streamType);
		if (policy == null) {
			throw new SecureStreamsException("unknown streamtype '" + streamType + "'");
		}
		if (policy.server()) {
			throw new SecureStreamsException("streamtype '" + streamType + "' is a server streamtype");
		}
		runtime.clientProtocol(policy.protocol());
		ClientStream stream = new ClientStream(runtime, policy, handler, loop, true);
		if (stream.deliverCreating() == StreamResult.DESTROY_ME) {
			stream.destroyNow();
			throw new SecureStreamsException("the onward stream of '" + streamType + "' refused its creation");
		}
		stream.startIfNailedUp();
		return stream;
	}

}
