package io.securestreams.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys the parser accepts but the runtime ignores are named in a warning when a stream of their
 * streamtype is created, once.
 */
class UnappliedKeysTests {

	@Test
	void creatingAStreamNamesTheIgnoredKeysOnce() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("sink"), "127.0.0.1", 1, "GET", "/")
			.set(StreamTypeKey.LOCAL_SINK, true)
			.set(StreamTypeKey.ATTR_PRIORITY, 3);
		TestPolicies.h1(fragment.streamType("plain"), "127.0.0.1", 1, "GET", "/");
		StreamHandler idle = new StreamHandler() {
		};
		try (LogCapture logs = new LogCapture();
				SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build()) {
			streams.create("sink", idle);
			streams.create("sink", idle);
			streams.create("plain", idle);
			assertThat(logs.messages().stream().filter((message) -> message.contains("does not act on")))
				.containsExactly("streamtype 'sink' sets [local_sink, attr_priority], which this runtime parses but "
						+ "does not act on; see docs/policy.md");
		}
	}

	@Test
	void policyReferenceListsEveryIgnoredKey() throws Exception {
		// Surefire runs in the module directory; the page is docs/policy.md of the repository.
		String page = Files.readString(Path.of("..", "docs", "policy.md"));
		int start = page.indexOf("### Keys parsed but not acted on yet");
		String section = page.substring(start, page.indexOf("\n## ", start));
		for (StreamTypeKey key : UnappliedKeys.NOT_ACTED_ON) {
			assertThat(section).as(key.jsonName()).contains("`" + key.jsonName() + "`");
		}
	}

	@Test
	void unsetAndFalseKeysAreNotReported() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", 1, "GET", "/").set(StreamTypeKey.LOCAL_SINK, false);
		assertThat(UnappliedKeys.of(fragment.build().streamType("t"))).isEmpty();
	}

}
