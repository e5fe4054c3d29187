package io.securestreams.proxy.client;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body announced with {@code requestTxLen} that the onward transaction ended in the middle of
 * (the server answered early and closed): the next {@code requestTxLen} announces a new body, as
 * in direct mode, where the ended connection takes its message's remaining length with it.
 */
class ProxiedClientAbandonedBodyTests extends ScriptedProxyFixture {

	private static final int LENGTH = 10_000;

	/** Writes what {@code remaining} says is owed, 3000 bytes at a time, pausing after the first piece. */
	static final class LengthDrivenHandler extends RecordingHandler {

		final List<Long> remainingSeen = new CopyOnWriteArrayList<>();

		volatile boolean pauseAfterFirst = true;

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			long remaining = slot.remaining();
			this.remainingSeen.add(remaining);
			if (remaining <= 0 || (this.pauseAfterFirst && remaining < LENGTH)) {
				return StreamResult.TX_DONT_SEND;
			}
			int length = (int) Math.min(3000, remaining);
			slot.buffer().put(new byte[length]);
			slot.flags((remaining == LENGTH) ? StreamFlags.SOM : 0);
			return StreamResult.OK;
		}

	}

	@Test
	void aBodyTheOnwardTransactionEndedInTheMiddleOfDoesNotShortenTheNextOne() throws Exception {
		abandonAndSendAgain(false);
	}

	@Test
	void aBodyTheLinkDroppedInTheMiddleOfDoesNotShortenTheNextOne() throws Exception {
		abandonAndSendAgain(true);
	}

	private void abandonAndSendAgain(boolean dropLink) throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		LengthDrivenHandler handler = new LengthDrivenHandler();
		SecureStream stream = this.streams.create("post", handler);
		stream.requestTxLen(LENGTH);
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		link.send(ToClient.CreateResult.ok(0, List.of("post")), state(StreamState.CREATING));
		assertThat(link.next().type()).as("PAYLOAD_LENGTH_HINT").isEqualTo(0xb1);
		assertThat(link.next().type()).as("ONWARD_CONNECT").isEqualTo(0xab);
		link.send(state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		assertThat(link.next().body().length - 16).isEqualTo(3000);
		if (dropLink) {
			// The proxy goes, and its onward stream with it.
			link.close();
			handler.await(StreamState.DISCONNECTED, WAIT);
			link = this.proxy.accept(WAIT);
			assertThat(link.next().type()).isEqualTo(0xaa);
			link.send(ToClient.CreateResult.ok(0, List.of("post")), state(StreamState.CREATING));
		}
		else {
			// The server refuses the upload early and closes: the onward transaction is over.
			link.send(state(StreamState.QOS_NACK_REMOTE), state(StreamState.DISCONNECTED));
			handler.await(StreamState.DISCONNECTED, WAIT);
		}
		// The application sends the body again, whole.
		handler.pauseAfterFirst = false;
		handler.remainingSeen.clear();
		stream.requestTxLen(LENGTH);
		assertThat(link.next().bytes()).as("PAYLOAD_LENGTH_HINT").containsExactly(0xb1, 0, 4, 0, 0, 0x27, 0x10);
		assertThat(link.next().bytes()).as("ONWARD_CONNECT").containsExactly(0xab, 0, 0);
		link.send(state(StreamState.CONNECTING), state(StreamState.CONNECTED));
		int sent = 0;
		while (sent < LENGTH) {
			FrameReader.Frame frame = link.next();
			assertThat(frame.type()).isEqualTo(0xad);
			if (sent == 0) {
				assertThat(ByteBuffer.wrap(frame.body()).getInt() & StreamFlags.SOM).isEqualTo(StreamFlags.SOM);
			}
			sent += frame.body().length - 16;
		}
		assertThat(sent).isEqualTo(LENGTH);
		assertThat(handler.remainingSeen).startsWith(10_000L, 7000L, 4000L, 1000L);
		this.guard.assertNoViolations();
	}

}
