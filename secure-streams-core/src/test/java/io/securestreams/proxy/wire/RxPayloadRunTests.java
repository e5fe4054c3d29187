package io.securestreams.proxy.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.securestreams.StreamFlags;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An {@link RxPayloadRun} is byte for byte the RX_PAYLOAD frames a proxy would send one by one,
 * split at {@value SsWire#MAX_RX_PAYLOAD} bytes with the flags libwebsockets' client expects.
 */
class RxPayloadRunTests {

	private static final long TIME = 0x0102030405060708L;

	private static byte[] payload(int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (i * 31);
		}
		return bytes;
	}

	private static RxPayloadRun run(byte[] payload, int flags) {
		ByteBuffer buffer = ByteBuffer.wrap(payload);
		RxPayloadRun run = RxPayloadRun.encode(UnpooledByteBufAllocator.DEFAULT, buffer, flags, TIME);
		assertThat(buffer.hasRemaining()).as("the payload is consumed").isFalse();
		return run;
	}

	/** What the frames would be as single messages. */
	private static byte[] singleFrames(byte[] payload, int... flags) {
		ByteBuf out = Unpooled.buffer();
		for (int frame = 0, offset = 0; frame < flags.length; frame++) {
			int length = Math.min(SsWire.MAX_RX_PAYLOAD, payload.length - offset);
			ToClient.RxPayload single = new ToClient.RxPayload(flags[frame], 0, TIME, null,
					Unpooled.wrappedBuffer(payload, offset, length));
			out.writeBytes(SsWire.toBytes(single));
			offset += length;
		}
		return ByteBufUtil.getBytes(out);
	}

	@Test
	void aPayloadOfSeveralFramesEncodesAsTheFramesOneByOne() {
		byte[] payload = payload(2 * SsWire.MAX_RX_PAYLOAD + 240);
		int flags = StreamFlags.SOM | StreamFlags.EOM | StreamFlags.RELATED_START | StreamFlags.RELATED_END;
		RxPayloadRun run = run(payload, flags);
		try {
			assertThat(run.count()).isEqualTo(3);
			assertThat(run.type()).isEqualTo(FrameType.RX_PAYLOAD);
			int first = StreamFlags.SOM | StreamFlags.RELATED_START;
			int last = StreamFlags.EOM | StreamFlags.RELATED_START | StreamFlags.RELATED_END;
			byte[] expected = singleFrames(payload, first, StreamFlags.RELATED_START, last);
			assertThat(ByteBufUtil.getBytes(run.frames())).isEqualTo(expected);
			assertThat(run.wireLength()).isEqualTo(expected.length)
				.isEqualTo((int) RxPayloadRun.wireLength(payload.length));
			assertThat(run.bodyLength()).isEqualTo(expected.length - 3 * SsWire.FRAME_HEADER);
		}
		finally {
			assertThat(run.release()).isTrue();
		}
	}

	@Test
	void theClientDecoderSeesOrdinaryFrames() {
		byte[] payload = payload(SsWire.MAX_RX_PAYLOAD + 1);
		RxPayloadRun run = run(payload, StreamFlags.SOM | StreamFlags.POLL);
		EmbeddedChannel channel = new EmbeddedChannel(SsFrameEncoder.INSTANCE, new SsFrameDecoder(false));
		assertThat(channel.writeOutbound(run)).isTrue();
		ByteBuf wire = channel.readOutbound();
		assertThat(channel.<Object>readOutbound()).as("one buffer for the whole run").isNull();
		channel.writeInbound(wire);
		List<ToClient.RxPayload> frames = new ArrayList<>();
		for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
			frames.add((ToClient.RxPayload) message);
		}
		try {
			assertThat(frames).extracting(ToClient.RxPayload::flags)
				.containsExactly(StreamFlags.SOM | StreamFlags.POLL, 0);
			assertThat(frames).extracting((frame) -> frame.payload().readableBytes())
				.containsExactly(SsWire.MAX_RX_PAYLOAD, 1);
			assertThat(frames).extracting(ToClient.RxPayload::proxyTimeUs).containsOnly(TIME);
			assertThat(ByteBufUtil.getBytes(frames.get(1).payload())).containsExactly(payload[payload.length - 1]);
		}
		finally {
			frames.forEach(ToClient.RxPayload::release);
			assertThat(channel.finish()).isFalse();
		}
	}

	@Test
	void anEmptyPayloadIsOneFrameThatKeepsItsFlags() {
		RxPayloadRun run = run(new byte[0], StreamFlags.EOM);
		try {
			assertThat(run.count()).isOne();
			assertThat(ByteBufUtil.getBytes(run.frames())).isEqualTo(singleFrames(new byte[0], StreamFlags.EOM));
		}
		finally {
			run.release();
		}
	}

	@Test
	void aPayloadOfExactlyOneFrameIsNotFollowedByAnEmptyOne() {
		RxPayloadRun run = run(payload(SsWire.MAX_RX_PAYLOAD), StreamFlags.SOM | StreamFlags.EOM);
		try {
			assertThat(run.count()).isOne();
			assertThat(RxPayloadRun.frameCount(SsWire.MAX_RX_PAYLOAD + 1)).isEqualTo(2);
		}
		finally {
			run.release();
		}
	}

	@Test
	void aRunCannotBeWrittenAsOneBody() {
		RxPayloadRun run = run(payload(10), 0);
		try {
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> run.writeBody(Unpooled.buffer()));
			ByteBuf encoded = SsWire.encode(UnpooledByteBufAllocator.DEFAULT, run);
			assertThat(ByteBufUtil.getBytes(encoded)).isEqualTo(ByteBufUtil.getBytes(run.frames()));
			encoded.release();
		}
		finally {
			run.release();
		}
	}

}
