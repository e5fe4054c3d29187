package io.securestreams.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.PolicyChangeListener;
import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.smd.SmdClass;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A policy change listener hears every change once, in the order made, with the policy before
 * it, even when a bus participant told of one change makes the next while the first is still
 * being announced; a listener that throws neither undoes the change nor keeps others from it.
 */
class PolicyChangeListenerTests {

	private record Change(long version, boolean before, boolean after) {
	}

	@Test
	void eachChangeIsToldOnceInOrderWithThePolicyBeforeIt() {
		Policy with = policy(true);
		Policy without = policy(false);
		try (SecureStreams streams = SecureStreams.builder(with).eventLoopThreads(1).build()) {
			List<Change> changes = new CopyOnWriteArrayList<>();
			// Subscribed first, so the nested change is made before later participants hear of this one.
			streams.smd().subscribe(SmdClass.SYSTEM_STATE, Runnable::run, (message) -> {
				if (streams.activePolicy().version() == 2) {
					streams.replacePolicy(with);
				}
			});
			PolicyChangeListener throwing = (before, after) -> {
				throw new IllegalStateException("listener failure on purpose");
			};
			streams.addPolicyChangeListener(throwing);
			streams.addPolicyChangeListener((before, after) -> changes.add(new Change(after.version(),
					before.streamType("extra") != null, after.policy().streamType("extra") != null)));
			ActivePolicy result = streams.replacePolicy(without);
			assertThat(result.version()).isEqualTo(2);
			assertThat(changes).containsExactly(new Change(2, true, false), new Change(3, false, true));
			assertThat(streams.activePolicy().version()).isEqualTo(3);
			streams.removePolicyChangeListener(throwing);
			streams.applyOverlay("test", "{\"s\":[{\"extra\":{\"port\":81}}]}");
			assertThat(changes).hasSize(3).last().isEqualTo(new Change(4, true, true));
		}
	}

	private static Policy policy(boolean extra) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("api"), "127.0.0.1", 80, "GET", "/");
		if (extra) {
			TestPolicies.h1(fragment.streamType("extra"), "127.0.0.1", 80, "GET", "/");
		}
		return fragment.build();
	}

}
