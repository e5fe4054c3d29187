package io.securestreams.proxy;

import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Links follow their onward streams: a policy replaced without the streamtype destroys the
 * onward stream, which closes the link; the client's next attempt is then refused.
 */
class ProxyLifecycleTests {

	private final TransitionGuard guard = new TransitionGuard();

	@TempDir
	Path temp;

	@Test
	void onwardStreamDestroyedByThePolicyClosesItsLink() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("old"), "127.0.0.1", 9, "GET", "/");
		PolicyFragment replacement = TestPolicies.base();
		TestPolicies.h1(replacement.streamType("new"), "127.0.0.1", 9, "GET", "/");
		Path socket = this.temp.resolve("proxy.sock");
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy");
				SecureStreams context = SecureStreams.builder(fragment.build()).eventLoopThreads(1)
					.listener(this.guard)
					.build();
				SecureStreamsProxy proxy = SecureStreamsProxy.builder(context)
					.listen(ProxyAddress.parse("+" + socket))
					.start();
				SecureStreams client = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(1)
					.listener(this.guard)
					.build()) {
			RecordingHandler handler = new RecordingHandler();
			client.create("old", handler);
			handler.await(StreamState.CREATING, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.links().size() == 1);
			context.replacePolicy(replacement.build());
			assertThat(logs.await("ss proxy link", "(old)", "closing: the onward stream was destroyed")).isNotNull();
			assertThat(logs.await("stream creation failed", "unknown streamtype 'old'")).isNotNull();
			assertThat(handler.stateNames()).containsExactly("CREATING");
		}
		this.guard.assertNoViolations();
	}

}
