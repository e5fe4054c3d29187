package io.securestreams.transport;

import java.time.Duration;

import io.netty.channel.epoll.Epoll;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@code +@name} endpoint where nobody listens (and one too long for {@code sun_path}): the log
 * line of each failure names the socket as the policy writes it, {@code @name}, without the NUL
 * byte the abstract address starts with; so do a listener's log line and the error of one whose
 * name is too long.
 */
class AbstractSocketEndpointFailureTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void eachFailedAttemptNamesTheSocketWithoutANulByte() {
		assumeTrue(Epoll.isAvailable(), "abstract Unix sockets need the native epoll transport");
		String missing = "ss-review-no-listener-" + ProcessHandle.current().pid();
		String tooLong = "y".repeat(120);
		for (String name : new String[] { missing, tooLong }) {
			LogCapture logs = this.resources.closing(new LogCapture());
			PolicyFragment fragment = TestPolicies.base();
			fragment.streamType("s")
				.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
				.set(StreamTypeKey.ENDPOINT, "+@" + name)
				.set(StreamTypeKey.RETRY, "once");
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build())
				.eventLoopThreads(1)
				.transport(TransportResources.Kind.AUTO));
			RecordingHandler handler = new RecordingHandler();
			streams.create("s", handler).connect();
			handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
			assertThat(logs.messages()).filteredOn((line) -> line.contains("connection failed"))
				.hasSize(2)
				.allSatisfy((line) -> assertThat(line).contains("@" + name).doesNotContain("\0"));
		}
	}

	@Test
	void aListenerNamesItsSocketWithoutANulByte() {
		assumeTrue(Epoll.isAvailable(), "abstract Unix sockets need the native epoll transport");
		String name = "ss-review-listener-" + ProcessHandle.current().pid();
		String tooLong = "z".repeat(120);
		LogCapture logs = this.resources.closing(new LogCapture());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.RAW, false).set(StreamTypeKey.ENDPOINT, "+@" + name);
		TestPolicies.server(fragment.streamType("long"), Protocol.RAW, false)
			.set(StreamTypeKey.ENDPOINT, "+@" + tooLong);
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).transport(TransportResources.Kind.AUTO));
		streams.create("srv", new RecordingHandler());
		assertThat(logs.messages()).filteredOn((line) -> line.contains("listening on"))
			.singleElement()
			.satisfies((line) -> assertThat(line).endsWith("listening on @" + name).doesNotContain("\0"));
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> streams.create("long", new RecordingHandler()))
			.satisfies((ex) -> assertThat(ex.getMessage()).contains("cannot listen on @" + tooLong)
				.doesNotContain("\0"));
	}

}
