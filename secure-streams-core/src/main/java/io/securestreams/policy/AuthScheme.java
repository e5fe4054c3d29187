package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * An entry of the policy's {@code auth} section: an authentication scheme streamtypes bind with
 * {@code use_auth}.
 *
 * @param name the scheme name
 * @param type the scheme type, for example {@code sigv4}
 * @param streamType the streamtype that refreshes the token, if any
 * @param blob the auth blob index (0..3) the token is kept in
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record AuthScheme(String name, String type, @Nullable String streamType, int blob) {

	/** Highest auth blob index. */
	public static final int MAX_BLOB = 3;

	/**
	 * Checks that the blob index is within 0..{@link #MAX_BLOB}.
	 * @param name the scheme name
	 * @param type the scheme type, for example {@code sigv4}
	 * @param streamType the streamtype that refreshes the token, if any
	 * @param blob the auth blob index (0..3) the token is kept in
	 * @throws IllegalArgumentException when {@code blob} is out of range
	 */
	public AuthScheme {
		StreamTypeValues.integral(blob, 0, MAX_BLOB);
	}

}
