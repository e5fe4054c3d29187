package io.securestreams.runtime;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The arguments of the peer tx credit API: an initial credit of 0 means automatic flow control, a
 * negative one and a credit for the built-in {@code _lws_smd} streamtype (whose creation field is
 * a class mask) are refused, and a grant must be positive; a stream whose protocol has no credit
 * per stream (h1 here) takes grants and ignores them, and estimates no credit.
 */
class PeerTxCreditArgumentsTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private SecureStreams start() {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", 9, "GET", "/");
		return this.resources.start(SecureStreams.builder(fragment.build()));
	}

	@Test
	void aNegativeInitialCreditIsRefused() {
		SecureStreams streams = start();
		assertThatIllegalArgumentException().isThrownBy(() -> streams.create("get", new RecordingHandler(), -1))
			.withMessage("an initial peer tx credit must be 0 or positive, got -1");
	}

	@Test
	void theSmdStreamTypeTakesAClassMaskNotACredit() {
		SecureStreams streams = start();
		assertThatIllegalArgumentException().isThrownBy(() -> streams.create("_lws_smd", new RecordingHandler(), 5))
			.withMessageContaining("use createSmd");
	}

	@Test
	void aZeroInitialCreditCreatesAStreamAsWithoutOne() {
		SecureStreams streams = start();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = streams.create("get", handler, 0);
		assertThat(stream.streamType()).isEqualTo("get");
		assertThat(handler.states).containsExactly(StreamState.CREATING);
	}

	@Test
	void aGrantMustBePositiveAndIsIgnoredWhereTheProtocolHasNoCredit() {
		SecureStreams streams = start();
		SecureStream stream = streams.create("get", new RecordingHandler(), 10_000);
		assertThatIllegalArgumentException().isThrownBy(() -> stream.addPeerTxCredit(0))
			.withMessage("a peer tx credit grant must be positive, got 0");
		assertThatNoException().isThrownBy(() -> stream.addPeerTxCredit(1));
	}

	@Test
	void aStreamWhoseProtocolHasNoCreditEstimatesNone() {
		MockWebServer server = this.resources.mockWebServer();
		server.enqueue(new MockResponse.Builder().body("x".repeat(50_000)).build());
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", server.getPort(), "GET", "/");
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()));
		List<Integer> estimates = new CopyOnWriteArrayList<>();
		RecordingHandler handler = new RecordingHandler() {
			@Override
			public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
				estimates.add(stream.estimatedPeerTxCredit());
				return super.onRx(stream, payload, flags);
			}
		};
		SecureStream stream = streams.create("get", handler, 10_000);
		stream.requestTx();
		handler.await(StreamState.QOS_ACK_REMOTE, Duration.ofSeconds(10));
		assertThat(handler.received()).hasSize(50_000);
		assertThat(estimates).isNotEmpty().containsOnly(0);
	}

}
