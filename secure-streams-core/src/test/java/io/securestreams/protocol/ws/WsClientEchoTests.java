package io.securestreams.protocol.ws;

import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStreams;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.EchoClientHandler;
import io.securestreams.testsupport.EchoPlan;
import io.securestreams.testsupport.JettyWsServer;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our ws client against Jetty's echo endpoint: 10,000 messages (5,000 binary and 5,000 text on
 * two streams at once) of 0 to 256 KiB, some written in several tx calls, echoed fragment by
 * fragment, must come back byte-exact and in order with SOM/EOM on the right fragments.
 */
class WsClientEchoTests {

	@Test
	void tenThousandMessagesEchoByteExact() throws Exception {
		TransitionGuard guard = new TransitionGuard();
		try (JettyWsServer jetty = new JettyWsServer("echo-protocol", false)) {
			PolicyFragment fragment = TestPolicies.base();
			for (String name : List.of("bin", "txt")) {
				fragment.streamType(name)
					.set(StreamTypeKey.PROTOCOL, Protocol.WS)
					.set(StreamTypeKey.ENDPOINT, "localhost")
					.set(StreamTypeKey.PORT, jetty.port())
					.set(StreamTypeKey.TLS, false)
					.set(StreamTypeKey.TLS_TRUST_STORE, "test_ca")
					.set(StreamTypeKey.HTTP_URL, "/echo")
					.set(StreamTypeKey.WS_SUBPROTOCOL, "echo-protocol")
					.set(StreamTypeKey.WS_BINARY, name.equals("bin"))
					.set(StreamTypeKey.RETRY, "fast");
			}
			EchoClientHandler binary = new EchoClientHandler(EchoPlan.messages(5000, false, 1));
			EchoClientHandler text = new EchoClientHandler(EchoPlan.messages(5000, true, 2));
			try (SecureStreams streams = SecureStreams.builder(fragment.build())
				.eventLoopThreads(2)
				.listener(guard)
				.build()) {
				streams.create("bin", binary).connect();
				streams.create("txt", text).connect();
				Awaitility.await().atMost(Duration.ofSeconds(90))
					.until(() -> (binary.done() && text.done()) || !binary.problems.isEmpty()
							|| !text.problems.isEmpty());
			}
			assertThat(binary.problems).isEmpty();
			assertThat(text.problems).isEmpty();
			assertThat(binary.received()).isEqualTo(5000);
			assertThat(text.received()).isEqualTo(5000);
			assertThat(binary.states).startsWith(io.securestreams.StreamState.CREATING,
					io.securestreams.StreamState.CONNECTING, io.securestreams.StreamState.CONNECTED);
		}
		guard.assertNoViolations();
	}

}
