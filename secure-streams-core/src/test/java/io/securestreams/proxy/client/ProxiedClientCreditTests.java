package io.securestreams.proxy.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What a proxied client sends of the peer tx credit, frame by frame: the initial credit in the
 * STREAMTYPE frame, and the application's grants as TXCR_UPDATE frames once the proxy created
 * its stream, those made before then summed into one; a new link (a new onward stream) starts
 * again from the initial credit, without the grants the old one carried.
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
	void aGrantMustBePositive() throws Exception {
		proxiedContext(this.guard);
		SecureStream stream = this.streams.create("minpost", new RecordingHandler());
		assertThatIllegalArgumentException().isThrownBy(() -> stream.addPeerTxCredit(0))
			.withMessageContaining("must be positive");
		assertThatIllegalArgumentException().isThrownBy(() -> stream.addPeerTxCredit(-5));
	}

}
