package io.securestreams.proxy;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one proxied stream's link, for monitoring.
 *
 * @param id the link id, unique within the proxy
 * @param streamType the streamtype the client asked for, {@code null} before its STREAMTYPE
 * @param clientPid the process id the client announced, 0 before its STREAMTYPE
 * @param bufferedBytes bytes the proxy holds for the client now (queued frames and unsent
 * socket writes)
 * @param peakBufferedBytes the most bytes held at any time
 * @param onwardRxPaused whether reading from the onward connection is paused (rx flow control)
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ProxyLinkInfo(long id, @Nullable String streamType, long clientPid, long bufferedBytes,
		long peakBufferedBytes, boolean onwardRxPaused) {
}
