package io.securestreams.policy;

/**
 * Buffer sizes used when the streamtype is fulfilled by a proxy ({@code proxy_buflen*},
 * {@code client_buflen*}); 0 means the default of {@value #DEFAULT_BUFLEN} bytes.
 *
 * @param proxyBuflen bytes the proxy buffers for a stream ({@code proxy_buflen})
 * @param proxyRxflowOnAbove buffered bytes above which the proxy pauses onward rx
 * ({@code proxy_buflen_rxflow_on_above})
 * @param proxyRxflowOffBelow buffered bytes below which onward rx resumes
 * ({@code proxy_buflen_rxflow_off_below})
 * @param clientBuflen rx buffer size advertised to proxied clients ({@code client_buflen})
 * @param clientRxflowOnAbove client rx flow high-water mark ({@code client_buflen_rxflow_on_above})
 * @param clientRxflowOffBelow client rx flow low-water mark ({@code client_buflen_rxflow_off_below})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record BufferSettings(long proxyBuflen, long proxyRxflowOnAbove, long proxyRxflowOffBelow, long clientBuflen,
		long clientRxflowOnAbove, long clientRxflowOffBelow) {

	/** Buffer size used when a size is 0, as in the C implementation. */
	public static final int DEFAULT_BUFLEN = 32768;

	/**
	 * Returns the proxy buffer size that applies.
	 * @return {@link #proxyBuflen()} or {@value #DEFAULT_BUFLEN}
	 */
	public long effectiveProxyBuflen() {
		return (this.proxyBuflen != 0) ? this.proxyBuflen : DEFAULT_BUFLEN;
	}

}
