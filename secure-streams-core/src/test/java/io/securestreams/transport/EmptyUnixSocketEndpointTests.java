package io.securestreams.transport;

import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An endpoint of just {@code +} or {@code +@} names no Unix socket: a client's attempts fail
 * with a log line saying so (not the socket call's bare "Invalid argument"), and a listener is
 * not created, with a message naming the streamtype (not one about the working directory).
 */
class EmptyUnixSocketEndpointTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@ParameterizedTest
	@ValueSource(strings = { "+", "+@" })
	void aClientAttemptFailsNamingTheEndpoint(String endpoint) {
		LogCapture logs = this.resources.closing(new LogCapture());
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("s")
			.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, endpoint)
			.set(StreamTypeKey.RETRY, "once");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		RecordingHandler handler = new RecordingHandler();
		streams.create("s", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(logs.messages()).filteredOn((line) -> line.contains("failed"))
			.hasSize(2)
			.allSatisfy((line) -> assertThat(line).contains("(s)")
				.contains("endpoint \"" + endpoint + "\" names no Unix socket"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "+", "+@" })
	void aListenerIsNotCreated(String endpoint) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.RAW, false).set(StreamTypeKey.ENDPOINT, endpoint);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("srv", new RecordingHandler()))
			.withMessage("server streamtype 'srv': endpoint \"" + endpoint + "\" names no Unix socket: the "
					+ (endpoint.equals("+") ? "path" : "abstract name") + " is empty");
	}

}
