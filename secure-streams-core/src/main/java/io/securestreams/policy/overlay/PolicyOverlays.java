package io.securestreams.policy.overlay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.PolicyValidator;
import io.securestreams.policy.json.PolicyParser;
import org.jspecify.annotations.Nullable;

/**
 * Holds the base policy and the overlays applied over it, and says which policy is in force.
 * Overlays stack: each applies over the result of the previous ones, following the merge rules
 * of {@link io.securestreams.policy.PolicyFragment} (they may change or add streamtypes, set
 * booleans either way, reset keys with {@code null}, add retry, certs, trust store and auth
 * entries, and refer to entries of the base).
 * <p>
 * Thread-safe: changes are serialized and atomic, and {@link #current()} never blocks.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyOverlays {

	/**
	 * The largest overlay accepted, in bytes of UTF-8: the default bound of a fetched policy. An
	 * overlay is a change to a policy, usually far smaller; the bound keeps one request from
	 * growing the policy in force without limit.
	 */
	public static final int MAX_OVERLAY_BYTES = 4 * 1024 * 1024;

	private final PolicyParser parser = new PolicyParser();

	private final Object lock = new Object();

	private volatile ActivePolicy current;

	private final BiFunction<Policy, Policy, List<PolicyProblem>> changeCheck;

	/**
	 * Creates the holder with a base policy and no overlays (version 1).
	 * @param base the base policy, already validated
	 */
	public PolicyOverlays(Policy base) {
		this(base, (before, after) -> List.of());
	}

	/**
	 * Creates the holder with a base policy, no overlays (version 1) and a check of every change
	 * beyond the policy's own validation, for what the runtime cannot carry out.
	 * @param base the base policy, already validated
	 * @param changeCheck given the policy in force and the one an overlay or a new base makes,
	 * returns the problems that refuse the change (dropping the overlays is never refused)
	 */
	public PolicyOverlays(Policy base, BiFunction<Policy, Policy, List<PolicyProblem>> changeCheck) {
		this.current = ActivePolicy.of(1, base, base, List.of(), 0);
		this.changeCheck = changeCheck;
	}

	/**
	 * Returns the policy in force.
	 * @return the active policy
	 */
	public ActivePolicy current() {
		return this.current;
	}

	/**
	 * Applies an overlay over the policy in force.
	 * @param sourceName the overlay's name, for problems and {@link ActivePolicy#overlaySources()}
	 * @param json the overlay JSON, shaped like a policy
	 * @return the new active policy
	 * @throws PolicyException with every error of the overlay, or when it is larger than
	 * {@link #MAX_OVERLAY_BYTES}, or when the change check refuses it; nothing changes then
	 */
	public ActivePolicy applyOverlay(String sourceName, String json) {
		byte[] bytes = withinBound(sourceName, json);
		synchronized (this.lock) {
			ActivePolicy before = this.current;
			Policy merged = this.parser.parseOverlay(sourceName, bytes, before.policy()).policy();
			check(before.policy(), merged, sourceName, bytes);
			List<String> sources = new ArrayList<>(before.overlaySources());
			sources.add(sourceName);
			return install(
					ActivePolicy.of(before.version() + 1, merged, before.base(), sources, before.overlayCount() + 1));
		}
	}

	/**
	 * Drops every overlay, going back to the base policy.
	 * @return the new active policy
	 */
	public ActivePolicy resetOverlays() {
		synchronized (this.lock) {
			ActivePolicy before = this.current;
			return install(ActivePolicy.of(before.version() + 1, before.base(), before.base(), List.of(), 0));
		}
	}

	/**
	 * Replaces the base policy, for example with one fetched from a server, and drops every
	 * overlay.
	 * @param newBase the new base policy
	 * @return the new active policy
	 * @throws PolicyException if the new base fails validation or the change check; nothing
	 * changes then
	 */
	public ActivePolicy replaceBase(Policy newBase) {
		PolicyValidator.throwIfErrors(PolicyValidator.validate(newBase));
		synchronized (this.lock) {
			check(this.current.policy(), newBase, "<policy>", null);
			return install(ActivePolicy.of(this.current.version() + 1, newBase, newBase, List.of(), 0));
		}
	}

	// An overlay's problems are located in it where it holds the value; the rest, and a new
	// base's, which callers locate in their document (PolicyParser.locate), name the source.
	private void check(Policy before, Policy after, String sourceName, byte @Nullable [] overlay) {
		List<PolicyProblem> problems = this.changeCheck.apply(before, after);
		if (problems.isEmpty()) {
			return;
		}
		if (overlay != null) {
			problems = this.parser.locate(sourceName, overlay, before, problems);
		}
		PolicyValidator.throwIfErrors(problems.stream()
			.map((problem) -> problem.source().isEmpty() ? problem.at(sourceName, 0, 0, problem.path()) : problem)
			.toList());
	}

	private static byte[] withinBound(String sourceName, String json) {
		// A string longer than the bound in characters is longer in bytes: it is not encoded.
		if (json.length() > MAX_OVERLAY_BYTES) {
			throw tooLarge(sourceName, "at least " + json.length());
		}
		byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
		if (bytes.length > MAX_OVERLAY_BYTES) {
			throw tooLarge(sourceName, String.valueOf(bytes.length));
		}
		return bytes;
	}

	private static PolicyException tooLarge(String sourceName, String size) {
		return new PolicyException(List.of(new PolicyProblem(sourceName, 0, 0, "",
				"the overlay is " + size + " bytes; at most " + MAX_OVERLAY_BYTES + " are accepted",
				PolicyProblem.Severity.ERROR)));
	}

	private ActivePolicy install(ActivePolicy next) {
		this.current = next;
		return next;
	}

}
