package io.securestreams.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
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
		TestPolicies.h1(fragment.streamType("sleepy"), "127.0.0.1", 1, "GET", "/")
			.set(StreamTypeKey.SWAKE_VALIDITY, true)
			.set(StreamTypeKey.ATTR_PRIORITY, 3);
		TestPolicies.h1(fragment.streamType("plain"), "127.0.0.1", 1, "GET", "/");
		StreamHandler idle = new StreamHandler() {
		};
		try (LogCapture logs = new LogCapture();
				SecureStreams streams = SecureStreams.builder(fragment.build()).eventLoopThreads(1).build()) {
			streams.create("sleepy", idle);
			streams.create("sleepy", idle);
			streams.create("plain", idle);
			assertThat(logs.messages().stream().filter((message) -> message.contains("does not act on")))
				.containsExactly("streamtype 'sleepy' sets [swake_validity], which this runtime parses but "
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
	void perfIsReportedOnlyForServers() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("h1"), "127.0.0.1", 1, "GET", "/").set(StreamTypeKey.PERF, true);
		fragment.streamType("mqtt")
			.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 1883)
			.set(StreamTypeKey.PERF, true);
		fragment.streamType("server")
			.set(StreamTypeKey.SERVER, true)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 0)
			.set(StreamTypeKey.PERF, true);
		Policy policy = fragment.build();
		assertThat(UnappliedKeys.of(policy, policy.streamType("h1"))).isEmpty();
		assertThat(UnappliedKeys.of(policy, policy.streamType("mqtt"))).isEmpty();
		assertThat(UnappliedKeys.of(policy, policy.streamType("server"))).containsExactly("perf");
	}

	@Test
	void authKeysAreReportedUnlessAnHttpClientSignsWithSigv4() {
		PolicyFragment fragment = TestPolicies.base();
		fragment.auth(new AuthScheme("s3", "sigv4", null, 0));
		fragment.auth(new AuthScheme("lwa", "jwt", null, 1));
		TestPolicies.h1(fragment.streamType("signed"), "127.0.0.1", 1, "PUT", "/")
			.set(StreamTypeKey.USE_AUTH, "s3")
			.set(StreamTypeKey.AWS_REGION, "region")
			.set(StreamTypeKey.AWS_SERVICE, "service");
		TestPolicies.h1(fragment.streamType("other"), "127.0.0.1", 1, "GET", "/").set(StreamTypeKey.USE_AUTH, "lwa");
		TestPolicies.ws(fragment.streamType("ws"), 1, "/").set(StreamTypeKey.USE_AUTH, "s3");
		fragment.streamType("mqtt")
			.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 1883)
			.set(StreamTypeKey.USE_AUTH, "s3");
		Policy policy = fragment.build();
		assertThat(UnappliedKeys.of(policy, policy.streamType("signed"))).isEmpty();
		assertThat(UnappliedKeys.of(policy, policy.streamType("other"))).containsExactly("use_auth");
		assertThat(UnappliedKeys.of(policy, policy.streamType("ws"))).isEmpty();
		assertThat(UnappliedKeys.of(policy, policy.streamType("mqtt"))).containsExactly("use_auth");
	}

	@Test
	void longPollAndTheTxCreditQuirkAreReportedExceptOnH2Clients() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("h1"), "127.0.0.1", 1, "GET", "/")
			.set(StreamTypeKey.LONG_POLL, true)
			.set(StreamTypeKey.H2Q_OFLOW_TXCR, true);
		TestPolicies.h1(fragment.streamType("h2"), "127.0.0.1", 1, "GET", "/")
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.LONG_POLL, true)
			.set(StreamTypeKey.H2Q_OFLOW_TXCR, true);
		Policy policy = fragment.build();
		assertThat(UnappliedKeys.of(policy, policy.streamType("h1"))).containsExactly("long_poll", "h2q_oflow_txcr");
		assertThat(UnappliedKeys.of(policy, policy.streamType("h2"))).isEmpty();
	}

	@Test
	void awsIotIsActedOn() {
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("mqtt")
			.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 1883)
			.set(StreamTypeKey.AWS_IOT, true);
		Policy policy = fragment.build();
		assertThat(UnappliedKeys.of(policy, policy.streamType("mqtt"))).isEmpty();
	}

	@Test
	void unsetAndFalseKeysAreNotReported() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", 1, "GET", "/").set(StreamTypeKey.LOCAL_SINK, false);
		Policy policy = fragment.build();
		assertThat(UnappliedKeys.of(policy, policy.streamType("t"))).isEmpty();
	}

}
