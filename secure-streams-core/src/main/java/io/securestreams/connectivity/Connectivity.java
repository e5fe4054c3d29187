package io.securestreams.connectivity;

/**
 * What a captive portal detection found, with libwebsockets' values
 * ({@code LWS_CPD_UNKNOWN} ... {@code LWS_CPD_NO_INTERNET}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum Connectivity {

	/** No detection has completed (or the policy has no detection streamtype). */
	UNKNOWN(0),

	/** The detection transaction was acknowledged. */
	INTERNET_OK(1),

	/** The detection request was redirected on a streamtype with {@code http_fail_redirect}. */
	CAPTIVE_PORTAL(2),

	/** The detection failed otherwise: unreachable, timed out, or rejected. */
	NO_INTERNET(3);

	private final int value;

	Connectivity(int value) {
		this.value = value;
	}

	/**
	 * Returns libwebsockets' numeric value.
	 * @return 0 to 3
	 */
	public int value() {
		return this.value;
	}

}
