package io.securestreams.auth;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How one access token fetch ended.
 *
 * @param obtained whether a new token is now in the AUTH blob, slot 0
 * @param expiresIn the token's lifetime as the server gave it (a lifetime above a year is taken as a
 * year), or {@code null} when it gave none (or no token was obtained)
 * @param error why no token was obtained, or {@code null}
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record AccessTokenResult(boolean obtained, @Nullable Duration expiresIn, @Nullable String error) {

	static AccessTokenResult obtained(@Nullable Duration expiresIn) {
		return new AccessTokenResult(true, expiresIn, null);
	}

	static AccessTokenResult failed(String error) {
		return new AccessTokenResult(false, null, error);
	}

}
