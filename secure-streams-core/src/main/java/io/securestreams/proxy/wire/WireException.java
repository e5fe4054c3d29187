package io.securestreams.proxy.wire;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A frame broke the serialization protocol: an unknown or reserved type, a type that does not
 * travel in this direction, or a bad length. The receiver hangs up the link.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class WireException extends CorruptedFrameException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param reason what was wrong, for the log line of the hang-up
	 */
	public WireException(String reason) {
		super(reason);
	}

}
