package io.securestreams.policy.fetch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the fetch stream's handler takes as the policy body: connection timings of a fetch
 * streamtype with {@code "perf": true} arrive as rx too, and are not part of it.
 */
class FetchHandlerTests {

	private static final int SOM_EOM = StreamFlags.SOM | StreamFlags.EOM;

	private static ByteBuffer text(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void timingsOfAFailedAttemptAreNotTakenForTheEmptyBodyOfTheNext() {
		FetchHandler handler = new FetchHandler(1024);
		handler.onRx(null, text("{\"dns_us\":12}"), SOM_EOM | StreamFlags.PERF_JSON);
		assertThat(handler.onState(null, StreamState.QOS_ACK_REMOTE, 0)).isEqualTo(StreamResult.DESTROY_ME);
		assertThat(handler.body().getNow(null)).isEmpty();
	}

	@Test
	void timingsBetweenTheChunksOfABodyAreLeftOut() {
		FetchHandler handler = new FetchHandler(1024);
		handler.onRx(null, text("{\"release\":"), StreamFlags.SOM);
		handler.onRx(null, text("{\"dns_us\":12}"), SOM_EOM | StreamFlags.PERF_JSON);
		handler.onRx(null, text("\"x\"}"), StreamFlags.EOM);
		handler.onState(null, StreamState.QOS_ACK_REMOTE, 0);
		assertThat(handler.body().getNow(null)).asString(StandardCharsets.UTF_8).isEqualTo("{\"release\":\"x\"}");
	}

}
