package io.securestreams.proxy.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What a proxied client sends of the peer tx credit, frame by frame: the initial credit in the
 * STREAMTYPE frame, and the application's grants as TXCR_UPDATE frames once the proxy created
 * its stream, those made before then summed into one; a new link (a new onward stream) starts
 * again from the initial credit, without the grants the old one carried. The client's estimate
 * of the peer's credit counts per transaction, from what it granted and received.
 */
class ProxiedClientCreditTests extends ScriptedProxyFixture {

	@Test
	void theInitialCreditTravelsInStreamTypeAndGrantsAsTxcrUpdates() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("minpost", handler, 12_345);
		stream.addPeerTxCredit(1_000);
		stream.addPeerTxCredit(234);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		FrameReader.Frame streamType = link.next();
		assertThat(streamType.type()).isEqualTo(0xaa);
		assertThat(ByteBuffer.wrap(streamType.body()).getInt(5)).isEqualTo(12_345);
		link.send(ToClient.CreateResult.ok(0, List.of("minpost")), state(StreamState.CREATING));
		handler.await(StreamState.CREATING, WAIT);
		// The grants made before the proxy created its stream, as one.
		assertThat(link.next().bytes()).containsExactly(0xaf, 0, 4, 0, 0, 0x04, 0xd2);
		stream.addPeerTxCredit(70_000);
		assertThat(link.next().bytes()).containsExactly(0xaf, 0, 4, 0, 0x01, 0x11, 0x70);
		link.close();
		ScriptedProxy.Link again = this.proxy.accept(WAIT);
		FrameReader.Frame secondType = again.next();
		assertThat(ByteBuffer.wrap(secondType.body()).getInt(5)).isEqualTo(12_345);
		again.send(ToClient.CreateResult.ok(0, List.of("minpost")), state(StreamState.CREATING));
		// Grants the old link carried are not sent again.
		again.assertQuiet(Duration.ofMillis(300));
	}

	@Test
	void theEstimateCountsTheCreditGrantsAndPayloadOfEachTransaction() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("minpost", handler, 12_345);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.next();
		link.send(ToClient.CreateResult.ok(0, List.of("minpost")), state(StreamState.CREATING));
		handler.await(StreamState.CREATING, WAIT);
		stream.addPeerTxCredit(500);
		link.next();
		assertThat(stream.estimatedPeerTxCredit()).as("no transaction, and the grant was dropped").isZero();
		link.send(state(StreamState.CONNECTING));
		handler.await(StreamState.CONNECTING, WAIT);
		assertThat(stream.estimatedPeerTxCredit()).isEqualTo(12_345);
		stream.addPeerTxCredit(1_000);
		awaitEstimate(stream, 13_345);
		link.send(state(StreamState.CONNECTED), rx(StreamFlags.SOM, new byte[5_000]));
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 5_000);
		assertThat(stream.estimatedPeerTxCredit()).isEqualTo(8_345);
		link.send(rx(StreamFlags.EOM, new byte[20_000]));
		awaitEstimate(stream, -11_655);
		link.send(state(StreamState.QOS_ACK_REMOTE), state(StreamState.DISCONNECTED));
		handler.await(StreamState.DISCONNECTED, WAIT);
		assertThat(stream.estimatedPeerTxCredit()).isZero();
		// The next transaction starts again from the initial credit.
		link.send(state(StreamState.CONNECTING));
		handler.await(StreamState.CONNECTING, 2, WAIT);
		assertThat(stream.estimatedPeerTxCredit()).isEqualTo(12_345);
		link.close();
		// The client links again at once, for a new stream at the proxy.
		this.proxy.accept(WAIT);
		assertThat(stream.estimatedPeerTxCredit()).as("the link went").isZero();
	}

	@Test
	void aStreamWithTheDefaultCreditEstimatesNone() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("minpost", handler);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		link.next();
		link.send(ToClient.CreateResult.ok(0, List.of("minpost")), state(StreamState.CREATING),
				state(StreamState.CONNECTING), state(StreamState.CONNECTED), rx(StreamFlags.SOM, new byte[100]));
		Awaitility.await().atMost(WAIT).until(() -> handler.received().length == 100);
		stream.addPeerTxCredit(1_000);
		link.next();
		assertThat(stream.estimatedPeerTxCredit()).isZero();
	}

	private static void awaitEstimate(SecureStream stream, int expected) {
		Awaitility.await().atMost(WAIT).until(stream::estimatedPeerTxCredit, (estimate) -> estimate == expected);
	}

	@Test
	void aGrantMustBePositive() throws Exception {
		proxiedContext(this.guard);
		SecureStream stream = this.streams.create("minpost", new RecordingHandler());
		assertThatIllegalArgumentException().isThrownBy(() -> stream.addPeerTxCredit(0))
			.withMessageContaining("must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> stream.addPeerTxCredit(-5));
	}

}
