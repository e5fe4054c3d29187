package io.securestreams.policy.fetch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.fetch.PolicyFetchResult.Outcome;
import io.securestreams.policy.overlay.ActivePolicy;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fetch whose stream the context refuses with an {@code IllegalStateException} rather than a
 * {@code SecureStreamsException}: a {@code fetch_policy} that is a server streamtype, fetched from
 * a callback, where a listener cannot be bound. As any stream that could not be created, it is
 * reported as {@link Outcome#FAILED}, not thrown at the caller of {@code fetchAsync()}.
 */
class FetchCreationRefusedTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aFetchWhoseStreamCannotBeCreatedIsAFailedResult() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType(PolicyFetcher.DEFAULT_STREAM_TYPE), Protocol.H1, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		ActivePolicy before = streams.activePolicy();
		PolicyFetcher fetcher = new PolicyFetcher(streams);
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		streams.createSmd(0, new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.CONNECTED) {
				try {
					fetcher.fetchAsync()
						.whenComplete((result, error) -> outcome.complete((error != null) ? error : result));
				}
				catch (RuntimeException ex) {
					outcome.complete(ex);
				}
			}
			return StreamResult.OK;
		}));
		assertThat(outcome).succeedsWithin(WAIT).isInstanceOfSatisfying(PolicyFetchResult.class, (result) -> {
			assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
			assertThat(result.errors()).singleElement().asString().contains("server streamtype 'fetch_policy'");
		});
		assertThat(streams.activePolicy()).isSameAs(before);
	}

}
