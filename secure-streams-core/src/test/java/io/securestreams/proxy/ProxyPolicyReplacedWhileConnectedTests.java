package io.securestreams.proxy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy's policy replaced while links have connected onward streams: a link whose
 * streamtype changed carries on over a new onward connection, as a direct stream does; one whose
 * streamtype is gone ends with the DISCONNECTED its client's table takes, once.
 */
class ProxyPolicyReplacedWhileConnectedTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void connectedLinksFollowTheReplacedPolicy() throws Exception {
		JettyWsServer ws = this.resources.closing(new JettyWsServer(null, false));
		StreamsUnderTest streams = this.resources.start(Mode.PROXIED, policy(ws, "/echo", "kept", "gone"),
				(b) -> b.eventLoopThreads(1));
		RecordingHandler kept = new RecordingHandler();
		RecordingHandler gone = new RecordingHandler();
		SecureStream keptStream = streams.streams().create("kept", kept);
		keptStream.connect();
		streams.streams().create("gone", gone).connect();
		kept.await(StreamState.CONNECTED, WAIT);
		gone.await(StreamState.CONNECTED, WAIT);
		streams.policyContext().replacePolicy(policy(ws, "/echo?v=2", "kept"));
		kept.await(StreamState.CONNECTED, 2, WAIT);
		gone.await(StreamState.DISCONNECTED, WAIT);
		Awaitility.await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() ->
				gone.stateNames().equals(List.of("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED")));
		assertThat(kept.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "DISCONNECTED", "POLL",
				"CONNECTING", "CONNECTED");
		// The kept link's new onward connection carries messages both ways.
		RecordingHandler echo = kept.send("again".getBytes(StandardCharsets.US_ASCII), 100);
		keptStream.requestTx();
		Awaitility.await().atMost(WAIT).until(() -> new String(echo.received(), StandardCharsets.US_ASCII)
			.equals("again"));
	}

	private static Policy policy(JettyWsServer ws, String url, String... names) {
		PolicyFragment fragment = TestPolicies.base();
		for (String name : names) {
			TestPolicies.ws(fragment.streamType(name), ws.port(), url).set(StreamTypeKey.RETRY, null);
		}
		return fragment.build();
	}

}
