package io.securestreams.internal;

import io.netty.channel.EventLoop;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.ClientProtocol;

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
	 * @throws SecureStreamsException when the streamtype is unknown, is a server, cannot be carried
	 * (an unsupported protocol, or one whose streams share a connection, such as MQTT), or the
	 * handler refused the creation
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
		ClientProtocol protocol = runtime.clientProtocol(policy.protocol());
		protocol.validate(runtime.policy(), policy);
		if (protocol.loopAffinity(policy) != null) {
			// Its streams share connections on one event loop; the proxy pins each onward stream to
			// its link's loop, so it cannot carry them yet.
			throw new SecureStreamsException("streamtype '" + streamType + "' uses protocol '"
					+ policy.protocol().jsonName() + "', which the proxy cannot carry yet");
		}
		ClientStream stream = new ClientStream(runtime, policy, handler, loop, true);
		if (stream.deliverCreating() == StreamResult.DESTROY_ME) {
			stream.destroyNow();
			throw new SecureStreamsException("the onward stream of '" + streamType + "' refused its creation");
		}
		stream.startIfNailedUp();
		return stream;
	}

}
