package io.securestreams;

/**
 * Flags that travel with rx and tx payload, with the bit values of libwebsockets'
 * {@code LWSSS_FLAG_*}. Combine them with {@code |}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class StreamFlags {

	/** The buffer starts a message. */
	public static final int SOM = 0x01;

	/** The buffer ends a message. */
	public static final int EOM = 0x02;

	/** Not real payload: a poll for rx (carried through the proxy only). */
	public static final int POLL = 0x04;

	/** Zero-length marker: a group of related messages starts (multipart in). */
	public static final int RELATED_START = 0x08;

	/** The group of related messages ends. */
	public static final int RELATED_END = 0x10;

	/** A proxy RX frame carries a rideshare streamtype name (wire only). */
	public static final int RIDESHARE = 0x20;

	/** The rx is connection performance JSON, out of band of normal payload. */
	public static final int PERF_JSON = 0x40;

	private StreamFlags() {
	}

	/**
	 * Returns whether {@code flags} has {@code flag} set.
	 * @param flags the flags
	 * @param flag the flag to test
	 * @return {@code true} when set
	 */
	public static boolean has(int flags, int flag) {
		return (flags & flag) == flag;
	}

	/**
	 * Describes flags for logs, for example {@code SOM|EOM}.
	 * @param flags the flags
	 * @return the names of the set flags, or {@code 0}
	 */
	public static String toString(int flags) {
		StringBuilder text = new StringBuilder();
		String[] names = { "SOM", "EOM", "POLL", "RELATED_START", "RELATED_END", "RIDESHARE", "PERF_JSON" };
		for (int bit = 0; bit < names.length; bit++) {
			if ((flags & (1 << bit)) != 0) {
				text.append((text.length() > 0) ? "|" : "").append(names[bit]);
			}
		}
		return (text.length() > 0) ? text.toString() : "0";
	}

}
