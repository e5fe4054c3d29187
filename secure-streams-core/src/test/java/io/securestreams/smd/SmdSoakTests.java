package io.securestreams.smd;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.internal.ContextAccess;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * System message streams created and destroyed many times while messages flow: the bus must not
 * keep subscriptions of streams that are gone.
 */
class SmdSoakTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void createdAndDestroyedSmdStreamsLeaveNoSubscriptions() throws Exception {
		SecureStreams streams = this.resources.start(SecureStreams
			.builder(TestPolicies.with("t", (b) -> TestPolicies.h1(b, "127.0.0.1", 9, "GET", "/x")))
			.eventLoopThreads(2));
		int baseline = streams.smd().subscriptions();
		for (int i = 0; i < 2000; i++) {
			SecureStream stream = streams.createSmd(SmdClass.NETWORK, new RecordingHandler());
			streams.smd().publish(SmdClass.NETWORK, "{\"n\":" + i + "}");
			if (i % 2 == 0) {
				stream.connect();
			}
			stream.destroy();
			stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(ContextAccess.runtime(streams).streams()).isEmpty();
			assertThat(streams.smd().subscriptions()).isEqualTo(baseline);
		});
	}

}
