package io.securestreams.policy.json;

import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;

/**
 * A policy read from JSON, validated, with the warnings the document gave.
 *
 * @param policy the policy (for an overlay, the merged policy)
 * @param warnings located warnings about deprecated or ignored content, in document order
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ParsedPolicy(Policy policy, List<PolicyProblem> warnings) {

	/**
	 * Copies the warnings, unmodifiable.
	 * @param policy the policy (for an overlay, the merged policy)
	 * @param warnings located warnings about deprecated or ignored content, in document order
	 */
	public ParsedPolicy {
		warnings = List.copyOf(warnings);
	}

}
