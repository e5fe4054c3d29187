package io.securestreams;

import io.securestreams.policy.Policy;
import io.securestreams.policy.overlay.ActivePolicy;

/**
 * Told of every change of a context's policy (an overlay applied, the overlays reset, the base
 * policy replaced or fetched), with the policy before and after it. Unlike the
 * {@code {"policy":"updated"}} system message, which is published after the change and may be
 * read when a newer policy is already in force, a listener sees each change exactly once and in
 * the order the changes were made: it is called in the thread that made the change, while no
 * other change can be made, once the live streams have been told. It must therefore be quick,
 * must not change the policy itself (hand such work to another thread) and should not throw; an
 * exception it throws is logged and the change stands.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 * @see SecureStreams#addPolicyChangeListener(PolicyChangeListener)
 */
@FunctionalInterface
public interface PolicyChangeListener {

	/**
	 * The policy in force changed.
	 * @param before the policy in force until this change
	 * @param after the policy in force from now on, with its version
	 */
	void policyChanged(Policy before, ActivePolicy after);

}
