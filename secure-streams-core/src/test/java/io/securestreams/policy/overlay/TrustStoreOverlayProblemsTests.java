package io.securestreams.policy.overlay;

import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.json.PolicyFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An invalid overlay naming a trust store with a very long name and many bad stack entries: a
 * path per bad entry held the whole name (the validator's path, and the reader's for an entry
 * already reported): 10,000 entries under a 1 MiB name made 10 GB of paths. Measured, at a
 * tenth of the size each way, by what the reading thread allocates, which grows with the name
 * times the entries when a path holds it (here 100 MB) and with the overlay's size when not.
 */
class TrustStoreOverlayProblemsTests {

	private static final String NAME = "t".repeat(100_000);

	private static final int ENTRIES = 1_000;

	// The long form: a key is at most 50,000 characters (Jackson's limit), a string value 20 MB.
	private static final String STORE = "{\"trust_stores\": [{\"name\": \"" + NAME + "\", \"stack\": [\"x\""
			+ ", \"x\"".repeat(ENTRIES - 1);

	private static final String CERT = Base64.getEncoder()
		.encodeToString(
				PolicyFixtures.parse("server__hello_world__example-policy.json").certs().get("isrg_root_x2").der());

	@Test
	void entriesNamingNoCertsEntryAreEachReportedInBoundedMemory() {
		String overlay = STORE + "]}]}";
		List<PolicyProblem> problems = rejected(overlay);
		// Every entry is checked; the first hundred problems are listed.
		assertThat(problems).hasSize(101);
		assertThat(problems.get(99).format()).isEqualTo("big:1:" + (STORE.indexOf("\"x\"") + 1 + 5 * 99)
				+ ": trust_stores[0].stack[99]: no entry named 'x' in certs");
		assertThat(problems.get(100).format()).isEqualTo("big: " + (ENTRIES - 100) + " more errors not listed");
	}

	@Test
	void entriesOfACertsEntryDefinedLaterAreEachReportedInBoundedMemory() {
		String overlay = STORE + "]}], \"certs\": [{\"x\": \"" + CERT + "\"}]}";
		List<PolicyProblem> problems = rejected(overlay);
		assertThat(problems).hasSize(101);
		assertThat(problems.get(100).message()).isEqualTo((ENTRIES - 100) + " more errors not listed");
		assertThat(problems.get(0).path()).isEqualTo("trust_stores[0].stack[0]");
		assertThat(problems.get(0).message()).startsWith("certs entry 'x' is defined later");
	}

	private static List<PolicyProblem> rejected(String overlay) {
		PolicyOverlays overlays = new PolicyOverlays(Policy.empty());
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		long before = threads.getCurrentThreadAllocatedBytes();
		List<PolicyProblem> problems = assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> overlays.applyOverlay("big", overlay))
			.actual()
			.problems();
		long allocated = threads.getCurrentThreadAllocatedBytes() - before;
		assertThat(allocated).isLessThan(40L << 20);
		assertThat(problems.stream().mapToLong((problem) -> problem.path().length() + problem.message().length())
			.sum()).isLessThan(ENTRIES * 200L);
		return problems;
	}

}
