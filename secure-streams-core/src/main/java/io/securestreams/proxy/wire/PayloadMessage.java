package io.securestreams.proxy.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A message that carries payload in a {@link ByteBuf}; its reference count is the payload's.
 * Whoever handles it last releases it.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface PayloadMessage extends SsMessage, ReferenceCounted {

	/** Bytes of a payload frame's fixed header after the type and length: flags, u32, u64. */
	int FIXED_HEADER = 16;

	/**
	 * Returns the payload.
	 * @return the payload buffer
	 */
	ByteBuf payload();

	/**
	 * Returns the {@code LWSSS_FLAG_*} flags.
	 * @return the flags
	 */
	int flags();

	@Override
	default int refCnt() {
		return payload().refCnt();
	}

	@Override
	default PayloadMessage retain() {
		payload().retain();
		return this;
	}

	@Override
	default PayloadMessage retain(int increment) {
		payload().retain(increment);
		return this;
	}

	@Override
	default PayloadMessage touch() {
		payload().touch();
		return this;
	}

	@Override
	default PayloadMessage touch(Object hint) {
		payload().touch(hint);
		return this;
	}

	@Override
	default boolean release() {
		return payload().release();
	}

	@Override
	default boolean release(int decrement) {
		return payload().release(decrement);
	}

}
