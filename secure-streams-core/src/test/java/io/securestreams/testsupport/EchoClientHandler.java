package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;

/**
 * Sends a list of messages over a ws stream and checks that the peer echoes them back in order
 * and byte-exact, with SOM on the first and EOM on the last fragment of each. Every third
 * message is written in two to four tx calls (more when the tx buffer is smaller than a piece);
 * the rest in as few as the tx buffer allows. At
 * most {@value #WINDOW} messages are in flight.
 */
public final class EchoClientHandler implements StreamHandler {

	private static final int WINDOW = 64;

	private final List<byte[]> messages;

	private final Random random = new Random(7);

	public final List<String> problems = new CopyOnWriteArrayList<>();

	public final List<StreamState> states = new CopyOnWriteArrayList<>();

	private int sending;

	private int offset;

	private int piece;

	private volatile int received;

	private final ByteArrayOutputStream current = new ByteArrayOutputStream();

	private boolean inMessage;

	public EchoClientHandler(List<byte[]> messages) {
		this.messages = messages;
	}

	public int received() {
		return this.received;
	}

	public boolean done() {
		return this.received == this.messages.size();
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		this.states.add(state);
		if (state == StreamState.CONNECTED || state == StreamState.SERVER_UPGRADE) {
			stream.requestTx();
		}
		return StreamResult.OK;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		if (this.sending >= this.messages.size() || (this.offset == 0 && this.sending - this.received >= WINDOW)) {
			return StreamResult.TX_DONT_SEND;
		}
		byte[] message = this.messages.get(this.sending);
		if (this.offset == 0) {
			this.piece = (this.sending % 3 == 0) ? Math.max(1, message.length / (2 + this.random.nextInt(3)))
					: Integer.MAX_VALUE;
		}
		int length = Math.min(Math.min(this.piece, slot.capacity()), message.length - this.offset);
		slot.buffer().put(message, this.offset, length);
		int flags = (this.offset == 0) ? StreamFlags.SOM : 0;
		this.offset += length;
		if (this.offset == message.length) {
			flags |= StreamFlags.EOM;
			this.offset = 0;
			this.sending++;
			if (this.sending < this.messages.size()) {
				stream.requestTx();
			}
		}
		slot.flags(flags);
		return StreamResult.OK;
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		boolean som = StreamFlags.has(flags, StreamFlags.SOM);
		if (som == this.inMessage) {
			this.problems.add("message " + this.received + ": SOM " + som + " while in a message " + this.inMessage);
		}
		this.inMessage = true;
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		this.current.write(bytes, 0, bytes.length);
		if (StreamFlags.has(flags, StreamFlags.EOM)) {
			this.inMessage = false;
			byte[] expected = this.messages.get(this.received);
			if (!Arrays.equals(expected, this.current.toByteArray())) {
				this.problems.add("message " + this.received + " differs: sent " + expected.length + " bytes, got "
						+ this.current.size());
			}
			this.current.reset();
			boolean windowWasFull = this.sending - this.received >= WINDOW;
			this.received++;
			if (windowWasFull) {
				stream.requestTx();
			}
		}
		return StreamResult.OK;
	}

}
