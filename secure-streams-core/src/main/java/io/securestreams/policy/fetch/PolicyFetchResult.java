package io.securestreams.policy.fetch;

import java.time.Duration;
import java.util.List;

/**
 * What a remote policy fetch did.
 *
 * @param outcome how the fetch ended
 * @param version the version of the policy in force afterwards (unchanged unless
 * {@link Outcome#UPDATED})
 * @param hash the hash of the policy in force afterwards
 * @param errors what went wrong, empty when updated; for an invalid policy every problem as
 * {@code FILE:LINE:COL: PATH: MESSAGE}
 * @param elapsed how long the fetch took
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record PolicyFetchResult(Outcome outcome, long version, String hash, List<String> errors, Duration elapsed) {

	/**
	 * Copies the errors, unmodifiable.
	 * @param outcome how the fetch ended
	 * @param version the version of the policy in force afterwards (unchanged unless
	 * {@link Outcome#UPDATED})
	 * @param hash the hash of the policy in force afterwards
	 * @param errors what went wrong, empty when updated; for an invalid policy every problem as
	 * {@code FILE:LINE:COL: PATH: MESSAGE}
	 * @param elapsed how long the fetch took
	 */
	public PolicyFetchResult {
		errors = List.copyOf(errors);
	}

	/**
	 * Returns whether the fetched policy is now in force.
	 * @return {@code true} for {@link Outcome#UPDATED}
	 */
	public boolean updated() {
		return this.outcome == Outcome.UPDATED;
	}

	/** How a fetch ended. Every outcome but {@link #UPDATED} leaves the running policy untouched. */
	public enum Outcome {

		/** The fetched policy was valid and replaced the running one. */
		UPDATED,

		/** The running policy has no streamtype to fetch with. */
		NOT_CONFIGURED,

		/** The server rejected the request (QOS_NACK_REMOTE, for example an http 404). */
		NACK,

		/**
		 * The streamtype's retry budget was spent: no attempt got an http answer (the server was
		 * unreachable, or closed the connection or sent no http before a status), or the attempts
		 * were answered with a status that is retried, such as 503 (the last one is named in the
		 * errors).
		 */
		ALL_RETRIES_FAILED,

		/** The fetch took longer than its timeout. */
		TIMEOUT,

		/** The body was received but is not a valid policy. */
		INVALID_POLICY,

		/**
		 * The body was a valid policy, but a fetch started after this one (once this one's body was
		 * in) had already replaced the running policy: the policy served earlier is dropped rather
		 * than put back over the later one.
		 */
		SUPERSEDED,

		/** The stream could not be created, the connection dropped or the body was too large. */
		FAILED

	}

}
