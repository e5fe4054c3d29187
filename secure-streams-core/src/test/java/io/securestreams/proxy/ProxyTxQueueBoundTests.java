package io.securestreams.proxy;

import java.util.function.Predicate;

import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.securestreams.StreamFlags;
import io.securestreams.policy.BufferSettings;
import io.securestreams.proxy.wire.ToProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client payload a link queues for its onward stream is bounded by {@code proxy_buflen}
 * counted in frames as they came, headers included: counted by payload alone, a client sending
 * TX_PAYLOAD frames with no payload (19 bytes each) while the onward stream takes nothing (it is
 * still connecting) was read for ever, each frame held in the queue.
 */
class ProxyTxQueueBoundTests {

	private static final int BUFLEN = 4096;

	// The most frames of 19 bytes that stay within the buffer, and one more that passes it.
	private static final int FRAMES_TO_PAUSE = BUFLEN / 19 + 1;

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final LinkOutbox outbox = new LinkOutbox(this.channel, () -> {
	});

	private final BufferSettings buffers = new BufferSettings(BUFLEN, 0, 0, 0, 0, 0);

	private final OnwardHandler handler = new OnwardHandler("link under test", this.outbox,
			UnpooledByteBufAllocator.DEFAULT, this.buffers, () -> {
			}, () -> {
			}, false);

	@AfterEach
	void close() {
		this.outbox.discard();
		this.channel.finishAndReleaseAll();
	}

	@Test
	void emptyFramesQueuedOnTheLinksLoopPauseTheLinkOnceTheyFillTheBuffer() {
		try {
			assertThat(framesUntilPaused(this.handler::queueTx)).isEqualTo(FRAMES_TO_PAUSE);
		}
		finally {
			this.handler.linkClosed();
		}
	}

	@Test
	void emptyFramesQueuedForAnotherLoopPauseTheLinkOnceTheyFillTheBuffer() {
		CrossLoopOnward cross = new CrossLoopOnward("link under test", this.handler, this.channel.eventLoop(),
				this.outbox, this.buffers, () -> {
				});
		try {
			assertThat(framesUntilPaused(cross::queueTx)).isEqualTo(FRAMES_TO_PAUSE);
		}
		finally {
			cross.linkClosed();
			this.channel.runPendingTasks();
		}
	}

	/** Queues empty frames until the queue asks to pause the link; gives up at 100000. */
	private static int framesUntilPaused(Predicate<ToProxy.TxPayload> queue) {
		for (int frames = 1; frames <= 100_000; frames++) {
			if (queue.test(new ToProxy.TxPayload(StreamFlags.SOM | StreamFlags.EOM, 0, 0, Unpooled.buffer(0)))) {
				return frames;
			}
		}
		return -1;
	}

}
