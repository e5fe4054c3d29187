package io.securestreams;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits the protocol bindings apply to what peers send, so that one misbehaving peer cannot
 * hold unbounded memory or connections. A peer that exceeds one is cut off with a log line
 * naming the limit; other streams are not affected.
 * <pre>{@code
 * SecureStreams.builder(policy)
 *     .limits(ProtocolLimits.DEFAULTS.withMaxWsFramePayload(4 * 1024 * 1024))
 *     .build();
 * }</pre>
 *
 * @param maxWsFramePayload the largest ws frame payload accepted from a peer, in bytes
 * (ws clients and ws servers); must be at least 256 KiB
 * @param maxHttpHeaderSize the largest http request head (request line and headers) a server
 * accepts, and the largest response head an h1 client, response header list an h2 client and
 * ws upgrade answer a ws client accepts, in bytes
 * @param handshakeTimeout the most a peer may take to complete its part of a handshake: the TLS
 * handshake and each http request head of an accepted connection (this also closes kept-alive
 * connections idle for that long), each pause within an accepted http request's body, each wait
 * for an http client to take any of its response, and the ws upgrade answer a ws client waits for
 * @param responseTimeout the most an h1 or h2 client stream waits, once its request is
 * completely sent, for the response head (libwebsockets' {@code timeout_secs}, 15 s by default):
 * then the connection (h1) or the h2 stream is closed, as if the server had closed it; also the
 * most a request body may wait for a server that takes none of it (stops reading, or on h2 never
 * opens its flow-control window)
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ProtocolLimits(int maxWsFramePayload, int maxHttpHeaderSize, Duration handshakeTimeout,
		Duration responseTimeout) {

	/** The smallest accepted {@link #maxWsFramePayload()}: 256 KiB. */
	public static final int MIN_WS_FRAME_PAYLOAD = 256 * 1024;

	/** The smallest accepted {@link #maxHttpHeaderSize()}: 1 KiB. */
	public static final int MIN_HTTP_HEADER_SIZE = 1024;

	/** 1 MiB ws frames, 16 KiB http heads, 10 s handshakes, 15 s to a response head. */
	public static final ProtocolLimits DEFAULTS = new ProtocolLimits(1024 * 1024, 16 * 1024, Duration.ofSeconds(10),
			Duration.ofSeconds(15));

	/**
	 * Checks that the sizes are at least their minimums and the timeouts positive.
	 * @param maxWsFramePayload the largest ws frame payload accepted from a peer, in bytes
	 * (ws clients and ws servers); must be at least 256 KiB
	 * @param maxHttpHeaderSize the largest http request head (request line and headers) a server
	 * accepts, and the largest response head an h1 client, response header list an h2 client and
	 * ws upgrade answer a ws client accepts, in bytes
	 * @param handshakeTimeout the most a peer may take to complete its part of a handshake: the TLS
	 * handshake and each http request head of an accepted connection (this also closes kept-alive
	 * connections idle for that long), each pause within an accepted http request's body, each wait
	 * for an http client to take any of its response, and the ws upgrade answer a ws client waits for
	 * @param responseTimeout the most an h1 or h2 client stream waits, once its request is
	 * completely sent, for the response head (libwebsockets' {@code timeout_secs}, 15 s by default):
	 * then the connection (h1) or the h2 stream is closed, as if the server had closed it; also the
	 * most a request body may wait for a server that takes none of it (stops reading, or on h2 never
	 * opens its flow-control window)
	 * @throws NullPointerException when a timeout is {@code null}
	 * @throws IllegalArgumentException when {@code maxWsFramePayload} is below {@link #MIN_WS_FRAME_PAYLOAD},
	 * {@code maxHttpHeaderSize} below {@link #MIN_HTTP_HEADER_SIZE}, or a timeout zero or negative
	 */
	public ProtocolLimits {
		Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
		Objects.requireNonNull(responseTimeout, "responseTimeout");
		if (maxWsFramePayload < MIN_WS_FRAME_PAYLOAD) {
			throw new IllegalArgumentException("maxWsFramePayload must be at least " + MIN_WS_FRAME_PAYLOAD);
		}
		if (maxHttpHeaderSize < MIN_HTTP_HEADER_SIZE) {
			throw new IllegalArgumentException("maxHttpHeaderSize must be at least " + MIN_HTTP_HEADER_SIZE);
		}
		if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
			throw new IllegalArgumentException("handshakeTimeout must be positive");
		}
		if (responseTimeout.isNegative() || responseTimeout.isZero()) {
			throw new IllegalArgumentException("responseTimeout must be positive");
		}
	}

	/**
	 * Returns a copy with another ws frame payload limit.
	 * @param bytes the limit
	 * @return the new limits
	 */
	public ProtocolLimits withMaxWsFramePayload(int bytes) {
		return new ProtocolLimits(bytes, this.maxHttpHeaderSize, this.handshakeTimeout, this.responseTimeout);
	}

	/**
	 * Returns a copy with another http head size limit.
	 * @param bytes the limit
	 * @return the new limits
	 */
	public ProtocolLimits withMaxHttpHeaderSize(int bytes) {
		return new ProtocolLimits(this.maxWsFramePayload, bytes, this.handshakeTimeout, this.responseTimeout);
	}

	/**
	 * Returns a copy with another handshake timeout.
	 * @param timeout the timeout
	 * @return the new limits
	 */
	public ProtocolLimits withHandshakeTimeout(Duration timeout) {
		return new ProtocolLimits(this.maxWsFramePayload, this.maxHttpHeaderSize, timeout, this.responseTimeout);
	}

	/**
	 * Returns a copy with another response timeout.
	 * @param timeout the timeout
	 * @return the new limits
	 */
	public ProtocolLimits withResponseTimeout(Duration timeout) {
		return new ProtocolLimits(this.maxWsFramePayload, this.maxHttpHeaderSize, this.handshakeTimeout, timeout);
	}

}
