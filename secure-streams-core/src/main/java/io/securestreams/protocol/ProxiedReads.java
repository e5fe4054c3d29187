package io.securestreams.protocol;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.securestreams.policy.BufferSettings;
import io.securestreams.policy.StreamTypePolicy;

/**
 * Bounds the reads of a proxy's onward byte-stream connection (h1, raw): each read is delivered
 * to the proxy as one rx, which it frames for the client, so one read must fit between the rx
 * flow-control mark ({@code proxy_buflen_rxflow_on_above}) and the end of the proxy buffer
 * ({@code proxy_buflen}). The pause the mark triggers then takes effect before the buffer
 * overflows, instead of the proxy dropping the data and the onward stream.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ProxiedReads {

	/** Fewest bytes one read may take from the server for a proxy's onward stream. */
	public static final int MIN_READ = 4096;

	/** Most bytes one read takes from the server for a proxy's onward stream. */
	public static final int MAX_READ = 64 * 1024;

	private ProxiedReads() {
	}

	/**
	 * Limits the reads of a new channel when it carries a proxy's onward stream.
	 * @param channel the channel, before it reads
	 * @param link the stream it carries
	 */
	public static void limit(Channel channel, StreamLink link) {
		if (link.isProxied()) {
			channel.config()
				.setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 1024, readLimit(link.policy())));
		}
	}

	/**
	 * The largest read for a proxy's onward stream: what fits between the rx flow-control mark
	 * and the proxy buffer (half the buffer without a mark). The proxy stores a read as frames
	 * with a header each (under 1.4% of the payload), so 1/64 of the room is kept for them.
	 * @param policy the streamtype
	 * @return the limit in bytes, between {@link #MIN_READ} and {@link #MAX_READ}
	 */
	public static int readLimit(StreamTypePolicy policy) {
		BufferSettings buffers = policy.buffers();
		long room = (buffers.proxyRxflowOnAbove() > 0)
				? buffers.effectiveProxyBuflen() - buffers.proxyRxflowOnAbove() : buffers.effectiveProxyBuflen() / 2;
		long payload = room - room / 64;
		return (int) Math.max(MIN_READ, Math.min(MAX_READ, payload));
	}

}
