package io.securestreams.policy.json;

import io.securestreams.policy.Policy;
import io.securestreams.policy.json.ReferenceTracker.Section;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ReferenceTracker}: uses give the defined name's instance (or none, for the validator to
 * check), forward references are reported, and uses of rejected definitions are marked as already
 * reported.
 */
class ReferenceTrackerTests {

	private static final ReferenceTracker.Owner OWNER = new ReferenceTracker.FixedOwner("s[0].st");

	@Test
	void aUseOfANameDefinedBeforeGetsTheDefinitionsInstance() {
		ReferenceTracker tracker = new ReferenceTracker(Policy.empty());
		String defined = "retry1";
		tracker.define(Section.RETRY, defined, 2);
		String used = new String("retry1");
		assertThat(tracker.use(Section.RETRY, used, 5, 9, OWNER, ".retry")).isSameAs(defined);
		// Not defined before: the validator has to check the use.
		assertThat(tracker.use(Section.RETRY, "nope", 6, 9, OWNER, ".retry")).isNull();
		Problems problems = new Problems("p.json");
		assertThat(tracker.finish(problems)).isEmpty();
		assertThat(problems.errorCount()).isZero();
		assertThat(tracker.hasInvalidDefinitions()).isFalse();
	}

	@Test
	void aForwardReferenceIsReportedAtTheUse() {
		ReferenceTracker tracker = new ReferenceTracker(Policy.empty());
		tracker.use(Section.RETRY, "later", 5, 9, OWNER, ".retry");
		tracker.define(Section.RETRY, "later", 8);
		Problems problems = new Problems("p.json");
		assertThat(tracker.finish(problems)).containsExactly(new ReferenceTracker.Site(OWNER, ".retry"));
		assertThat(problems.errors()).singleElement()
			.satisfies((problem) -> assertThat(problem.format()).isEqualTo("p.json:5:9: s[0].st.retry: retry scheme "
					+ "'later' is defined later, at line 8; retry, certs, trust_stores and auth must come before the "
					+ "streamtypes that use them"));
	}

	@Test
	void aDefinitionMarkedInvalidAfterItsUseIsStillSeenAsInvalid() {
		ReferenceTracker tracker = new ReferenceTracker(Policy.empty());
		tracker.define(Section.TRUST_STORES, "store", 2);
		tracker.use(Section.TRUST_STORES, "store", 5, 9, OWNER, ".tls_trust_store");
		tracker.invalid(Section.TRUST_STORES, "store");
		Problems problems = new Problems("p.json");
		assertThat(tracker.finish(problems)).containsExactly(new ReferenceTracker.Site(OWNER, ".tls_trust_store"));
		assertThat(problems.errorCount()).isZero();
		assertThat(tracker.hasInvalidDefinitions()).isTrue();
	}

}
