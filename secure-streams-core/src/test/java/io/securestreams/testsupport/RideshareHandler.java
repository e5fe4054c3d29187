package io.securestreams.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.TxSlot;

/**
 * Sends an http body in rideshare parts: each part's payload, chosen by the streamtype
 * {@link SecureStream#rideshare()} names in {@code onTx}, in pieces of at most 1000 bytes ending
 * with an EOM; records the part names it was given.
 */
public final class RideshareHandler extends RecordingHandler {

	/** The streamtype names {@code onTx} was given at the start of each part, in order. */
	public final List<String> asked = new CopyOnWriteArrayList<>();

	private final Map<String, String> payloads;

	private final String lastPart;

	private boolean done;

	private int sent;

	/**
	 * Creates the handler.
	 * @param payloads each part's payload by streamtype
	 * @param lastPart the streamtype of the last part, after which nothing more is sent
	 */
	public RideshareHandler(Map<String, String> payloads, String lastPart) {
		this.payloads = payloads;
		this.lastPart = lastPart;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		if (this.done) {
			return StreamResult.TX_DONT_SEND;
		}
		String name = stream.rideshare();
		if (this.sent == 0) {
			this.asked.add(name);
		}
		byte[] payload = this.payloads.get(name).getBytes(StandardCharsets.UTF_8);
		int length = Math.min(Math.min(1000, slot.capacity()), payload.length - this.sent);
		slot.buffer().put(payload, this.sent, length);
		int flags = (this.sent == 0) ? StreamFlags.SOM : 0;
		this.sent += length;
		if (this.sent == payload.length) {
			flags |= StreamFlags.EOM;
			this.done = name.equals(this.lastPart);
			this.sent = 0;
		}
		slot.flags(flags);
		return StreamResult.OK;
	}

}
