package io.securestreams.smd;

/**
 * The message classes of the system message bus, as bits: a message has one class, and a
 * subscriber names the classes it wants as a mask. The values are libwebsockets'
 * ({@code LWSSMDCL_*}), so masks and messages mean the same on both sides of a proxy.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SmdClass {

	/** A user interacted with the device (a button, the screen). */
	public static final long INTERACTION = 1L << 0;

	/** The system state changed. */
	public static final long SYSTEM_STATE = 1L << 1;

	/** Something happened on the network, for example a captive portal detection result. */
	public static final long NETWORK = 1L << 2;

	/** Metrics. */
	public static final long METRICS = 1L << 3;

	/** The first bit applications may use for classes of their own. */
	public static final int USER_BASE_BIT = 24;

	/** Every class a 32-bit libwebsockets class mask can name. */
	public static final long ALL = 0xffffffffL;

	private SmdClass() {
	}

	/**
	 * Returns an application class.
	 * @param n 0 for the first application class, up to 7
	 * @return the class bit {@code 1 << (24 + n)}
	 */
	public static long user(int n) {
		if (n < 0 || n > 7) {
			throw new IllegalArgumentException("application classes are numbered 0 to 7, got " + n);
		}
		return 1L << (USER_BASE_BIT + n);
	}

}
