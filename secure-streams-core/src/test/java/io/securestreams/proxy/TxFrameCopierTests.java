package io.securestreams.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.securestreams.StreamFlags;
import io.securestreams.TxSlot;
import io.securestreams.proxy.wire.ToProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a client's TX_PAYLOAD frame is cut into onward tx slots.
 */
class TxFrameCopierTests {

	private final TxFrameCopier copier = new TxFrameCopier();

	@Test
	void frameLargerThanTheSlotGoesOutInPiecesWithSomFirstAndEomLast() {
		ToProxy.TxPayload frame = frame("abcdefghij", StreamFlags.SOM | StreamFlags.EOM);
		try {
			TxSlot first = slot(4);
			assertThat(this.copier.copyNextPiece(frame, first)).isFalse();
			assertThat(written(first)).isEqualTo("abcd");
			assertThat(first.flags()).isEqualTo(StreamFlags.SOM);
			TxSlot middle = slot(4);
			assertThat(this.copier.copyNextPiece(frame, middle)).isFalse();
			assertThat(written(middle)).isEqualTo("efgh");
			assertThat(middle.flags()).isZero();
			TxSlot last = slot(4);
			assertThat(this.copier.copyNextPiece(frame, last)).isTrue();
			assertThat(written(last)).isEqualTo("ij");
			assertThat(last.flags()).isEqualTo(StreamFlags.EOM);
			// The frame itself is not consumed: the handler dequeues and releases it.
			assertThat(frame.payload().readableBytes()).isEqualTo(10);
		}
		finally {
			frame.release();
		}
	}

	@Test
	void frameThatFitsCarriesBothItsFlagsAndOnlyThoseTheClientSet() {
		ToProxy.TxPayload whole = frame("xyz", StreamFlags.SOM | StreamFlags.EOM);
		ToProxy.TxPayload middleOfMessage = frame("uvw", 0);
		try {
			TxSlot slot = slot(16);
			assertThat(this.copier.copyNextPiece(whole, slot)).isTrue();
			assertThat(written(slot)).isEqualTo("xyz");
			assertThat(slot.flags()).isEqualTo(StreamFlags.SOM | StreamFlags.EOM);
			TxSlot next = slot(16);
			assertThat(this.copier.copyNextPiece(middleOfMessage, next)).isTrue();
			assertThat(written(next)).isEqualTo("uvw");
			assertThat(next.flags()).isZero();
		}
		finally {
			whole.release();
			middleOfMessage.release();
		}
	}

	@Test
	void emptyFrameCompletesAtOnce() {
		ToProxy.TxPayload empty = frame("", StreamFlags.EOM);
		TxSlot slot = slot(8);
		assertThat(this.copier.copyNextPiece(empty, slot)).isTrue();
		assertThat(slot.buffer().position()).isZero();
		assertThat(slot.flags()).isEqualTo(StreamFlags.EOM);
		empty.release();
	}

	@Test
	void resetStartsTheNextFrameFromItsFirstByte() {
		ToProxy.TxPayload dropped = frame("abcdef", StreamFlags.SOM);
		ToProxy.TxPayload next = frame("123", StreamFlags.SOM | StreamFlags.EOM);
		try {
			assertThat(this.copier.copyNextPiece(dropped, slot(2))).isFalse();
			this.copier.reset();
			TxSlot slot = slot(8);
			assertThat(this.copier.copyNextPiece(next, slot)).isTrue();
			assertThat(written(slot)).isEqualTo("123");
			assertThat(slot.flags()).isEqualTo(StreamFlags.SOM | StreamFlags.EOM);
		}
		finally {
			dropped.release();
			next.release();
		}
	}

	private static ToProxy.TxPayload frame(String text, int flags) {
		return new ToProxy.TxPayload(flags, 0, 0, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
	}

	private static TxSlot slot(int capacity) {
		return new TxSlot().reset(ByteBuffer.allocate(capacity), 0, -1);
	}

	private static String written(TxSlot slot) {
		ByteBuffer buffer = slot.buffer().duplicate().flip();
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

}
