package io.securestreams.runtime;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ack} of UNREACHABLE, as {@code StreamHandler.onState} documents it: always 0 here,
 * a failed name lookup included. libwebsockets passes 1 when its resolver could not reach a DNS
 * server, which the JDK's resolver does not tell apart from a name without an address.
 */
class UnreachableAckTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aNameThatDoesNotResolveIsUnreachableWithAckZero() {
		Policy policy = TestPolicies.with("mintest",
				(b) -> TestPolicies.h1(b, "nowhere.test", 80, "GET", "/").set(StreamTypeKey.RETRY, null));
		SecureStreams streams = this.resources.start(SecureStreams.builder(policy).hostNameLookup((host) -> {
			throw new UnknownHostException(host + ": no such name");
		}));
		assertUnreachableAcks(streams, 0L);
	}

	@Test
	void aRefusedConnectionIsUnreachableWithAckZero() {
		Policy policy = TestPolicies.with("mintest",
				(b) -> TestPolicies.h1(b, "127.0.0.1", this.resources.refusedPort(), "GET", "/")
					.set(StreamTypeKey.RETRY, null));
		assertUnreachableAcks(this.resources.start(SecureStreams.builder(policy)), 0L);
	}

	private static void assertUnreachableAcks(SecureStreams streams, long expected) {
		List<Long> acks = new CopyOnWriteArrayList<>();
		List<StreamState> states = new CopyOnWriteArrayList<>();
		streams.create("mintest", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				states.add(state);
				if (state == StreamState.UNREACHABLE) {
					acks.add(ack);
				}
				return StreamResult.OK;
			}
		}).requestTx();
		Awaitility.await().atMost(WAIT).until(() -> states.contains(StreamState.ALL_RETRIES_FAILED));
		assertThat(acks).containsExactly(expected);
	}

}
