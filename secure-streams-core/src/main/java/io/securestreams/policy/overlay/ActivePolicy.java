package io.securestreams.policy.overlay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyJsonWriter;

/**
 * The policy in force: a base policy with zero or more overlays applied, identified by a
 * version that grows with every change and by a content hash.
 *
 * @param version 1 for the first policy, incremented on every change
 * @param hash {@code sha256:} and the hex SHA-256 of the policy's canonical, unredacted JSON
 * (see {@link PolicyJsonWriter}) with the named entries of each section (retry, certs, trust
 * stores, auth, streamtypes) sorted by name; equal policies have equal hashes
 * @param policy the merged policy in force
 * @param base the policy before overlays
 * @param overlaySources the source names of the most recently applied overlays, oldest first:
 * at most {@link #MAX_OVERLAY_SOURCES}, so a process that applies overlays for months keeps a
 * bounded history
 * @param overlayCount how many overlays were applied over the base policy, including those
 * whose names are no longer kept
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ActivePolicy(long version, String hash, Policy policy, Policy base, List<String> overlaySources,
		long overlayCount) {

	/** How many overlay source names an active policy keeps. */
	public static final int MAX_OVERLAY_SOURCES = 64;

	private static final PolicyJsonWriter WRITER = new PolicyJsonWriter();

	/**
	 * Keeps the last {@link #MAX_OVERLAY_SOURCES} overlay sources, in an unmodifiable copy.
	 * @param version 1 for the first policy, incremented on every change
	 * @param hash {@code sha256:} and the hex SHA-256 of the policy's canonical, unredacted JSON
	 * (see {@link PolicyJsonWriter}) with the named entries of each section (retry, certs, trust
	 * stores, auth, streamtypes) sorted by name; equal policies have equal hashes
	 * @param policy the merged policy in force
	 * @param base the policy before overlays
	 * @param overlaySources the source names of the most recently applied overlays, oldest first:
	 * at most {@link #MAX_OVERLAY_SOURCES}, so a process that applies overlays for months keeps a
	 * bounded history
	 * @param overlayCount how many overlays were applied over the base policy, including those
	 * whose names are no longer kept
	 * @throws IllegalArgumentException when {@code overlayCount} is below the number of sources kept
	 */
	public ActivePolicy {
		int size = overlaySources.size();
		overlaySources = List.copyOf(overlaySources.subList(Math.max(0, size - MAX_OVERLAY_SOURCES), size));
		if (overlayCount < overlaySources.size()) {
			throw new IllegalArgumentException("overlayCount " + overlayCount + " is below the " + overlaySources.size()
					+ " overlay sources");
		}
	}

	/**
	 * Creates an active policy, computing its hash.
	 * @param version the version
	 * @param policy the merged policy
	 * @param base the base policy
	 * @param overlaySources the applied overlays' names (only the last
	 * {@link #MAX_OVERLAY_SOURCES} are kept)
	 * @param overlayCount how many overlays were applied
	 * @return the active policy
	 */
	public static ActivePolicy of(long version, Policy policy, Policy base, List<String> overlaySources,
			long overlayCount) {
		return new ActivePolicy(version, hash(policy), policy, base, overlaySources, overlayCount);
	}

	/**
	 * Returns the hash of a policy's canonical JSON.
	 * @param policy the policy
	 * @return {@code sha256:} followed by 64 hex digits
	 */
	public static String hash(Policy policy) {
		try {
			byte[] json = WRITER.write(sortedByName(policy), false).getBytes(StandardCharsets.UTF_8);
			return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	// Policy equality ignores the order of named entries, so the hash must too: the writer keeps
	// document order, in which two equal policies may differ.
	private static Policy sortedByName(Policy policy) {
		return new Policy(policy.release(), policy.product(), policy.schemaVersion(), policy.viaSocks5(),
				new TreeMap<>(policy.retry()), new TreeMap<>(policy.certs()), new TreeMap<>(policy.trustStores()),
				new TreeMap<>(policy.auth()), policy.metrics(), new TreeMap<>(policy.streamTypes()));
	}

}
