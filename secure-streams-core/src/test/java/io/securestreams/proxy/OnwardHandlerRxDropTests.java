package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.util.List;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.BufferSettings;
import io.securestreams.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the proxy logs when an onward stream's rx does not fit the link's {@code proxy_buflen}.
 * Rx handed over from another event loop (an MQTT broker connection's) keeps arriving until the
 * disconnect takes effect there; it used to log one warning per message.
 */
class OnwardHandlerRxDropTests {

	private static final int BUFLEN = 4096;

	private static final int EOM_MESSAGE = StreamFlags.SOM | StreamFlags.EOM;

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final LinkOutbox outbox = new LinkOutbox(this.channel, () -> {
	});

	private final OnwardHandler handler = new OnwardHandler("link under test", this.outbox,
			UnpooledByteBufAllocator.DEFAULT, new BufferSettings(BUFLEN, 0, 0, 0, 0, 0), () -> {
			}, () -> {
			}, false);

	@AfterEach
	void close() {
		this.outbox.discard();
		this.channel.finishAndReleaseAll();
	}

	@Test
	void messagesArrivingAfterTheBufferWasFullAreDroppedWithOneWarningAndCountedOnce() {
		try (LogCapture logs = new LogCapture()) {
			this.handler.onState(null, StreamState.CONNECTING, 0);
			this.handler.onState(null, StreamState.CONNECTED, 0);
			assertThat(rx(1000)).isEqualTo(StreamResult.OK);
			for (int i = 0; i < 5; i++) {
				assertThat(rx(5000)).isEqualTo(StreamResult.DISCONNECT_ME);
			}
			// Even a message that would fit now goes with the ones before it: the stream is on its way out.
			assertThat(rx(10)).isEqualTo(StreamResult.DISCONNECT_ME);
			assertThat(fullWarnings(logs)).hasSize(1);
			this.handler.onState(null, StreamState.DISCONNECTED, 0);
			assertThat(logs.messages()).filteredOn((line) -> line.contains("before the disconnect took effect"))
				.containsExactly("link under test: 5 more received pieces (20010 bytes) that arrived before the "
						+ "disconnect took effect were dropped too");
			// The next connection starts afresh: what fits is taken, what does not is reported again.
			this.handler.onState(null, StreamState.CONNECTING, 0);
			this.handler.onState(null, StreamState.CONNECTED, 0);
			this.channel.releaseOutbound();
			assertThat(rx(1000)).isEqualTo(StreamResult.OK);
			this.channel.releaseOutbound();
			assertThat(rx(5000)).isEqualTo(StreamResult.DISCONNECT_ME);
			assertThat(fullWarnings(logs)).hasSize(2);
		}
	}

	@Test
	void aSingleOversizedMessageLogsNoCountLine() {
		try (LogCapture logs = new LogCapture()) {
			this.handler.onState(null, StreamState.CONNECTING, 0);
			this.handler.onState(null, StreamState.CONNECTED, 0);
			assertThat(rx(5000)).isEqualTo(StreamResult.DISCONNECT_ME);
			this.handler.onState(null, StreamState.DISCONNECTED, 0);
			assertThat(fullWarnings(logs)).hasSize(1);
			assertThat(logs.contains("before the disconnect took effect")).isFalse();
		}
	}

	private StreamResult rx(int length) {
		return this.handler.onRx(null, ByteBuffer.wrap(new byte[length]), EOM_MESSAGE);
	}

	private static List<String> fullWarnings(LogCapture logs) {
		return logs.warnings().stream().filter((line) -> line.contains("proxy buffer full")).toList();
	}

}
