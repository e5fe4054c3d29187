package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;

/**
 * An http server handler for tests, shared by a listener and all its accepted streams:
 * <ul>
 * <li>{@code GET /hello?name=x}: 200, {@code text/plain}, body {@code hello x} with a length;</li>
 * <li>{@code POST /echo}: 201, {@code application/octet-stream}, the request body back;</li>
 * <li>{@code GET /chunked}: 200 without a length, the body written in 5-byte pieces;</li>
 * <li>{@code GET /oneshot}: 200 without a length, the body written in one piece with EOM;</li>
 * <li>{@code GET /silent}: the handler does nothing (the runtime answers 404);</li>
 * <li>anything else: the handler's own 404, {@code text/plain}, body {@code not found}.</li>
 * </ul>
 * Records every stream's states.
 */
public class RoutingServerHandler implements StreamHandler {

	public final Map<Long, List<StreamState>> states = new ConcurrentHashMap<>();

	private final Map<Long, Transaction> transactions = new ConcurrentHashMap<>();

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		this.states.computeIfAbsent(stream.id(), (id) -> new CopyOnWriteArrayList<>()).add(state);
		if (state == StreamState.SERVER_TXN) {
			Transaction txn = new Transaction(stream.metadata("path"), stream.metadata("method"),
					stream.metadata("name"));
			this.transactions.put(stream.id(), txn);
			if (!"POST".equals(txn.method)) {
				respond(stream, txn);
			}
		}
		else if (state == StreamState.DESTROYING) {
			this.transactions.remove(stream.id());
		}
		return StreamResult.OK;
	}

	/**
	 * Returns the states of the accepted streams.
	 * @param listener the listener
	 * @return states per accepted stream id
	 */
	public Map<Long, List<StreamState>> acceptedStates(SecureStream listener) {
		Map<Long, List<StreamState>> accepted = new ConcurrentHashMap<>(this.states);
		accepted.remove(listener.id());
		return accepted;
	}

	private void respond(SecureStream stream, Transaction txn) {
		switch (String.valueOf(txn.path)) {
			case "/hello" -> txn.reply(stream, 0, "text/plain", ("hello " + txn.name).getBytes(StandardCharsets.UTF_8),
					true);
			case "/echo" -> txn.reply(stream, 201, "application/octet-stream", txn.request.toByteArray(), true);
			case "/chunked" -> txn.reply(stream, 0, "text/plain",
					"0123456789abcdefghij".getBytes(StandardCharsets.UTF_8), false);
			case "/oneshot" -> txn.reply(stream, 0, "text/plain", "one shot".getBytes(StandardCharsets.UTF_8), false);
			case "/silent" -> {
			}
			default -> txn.reply(stream, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8), true);
		}
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		Transaction txn = this.transactions.get(stream.id());
		if (txn == null || stream.role() != StreamRole.ACCEPTED) {
			return StreamResult.OK;
		}
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		txn.request.write(bytes, 0, bytes.length);
		if (StreamFlags.has(flags, StreamFlags.EOM)) {
			respond(stream, txn);
		}
		return StreamResult.OK;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		Transaction txn = this.transactions.get(stream.id());
		if (txn == null || txn.response == null) {
			return StreamResult.TX_DONT_SEND;
		}
		int piece = txn.withLength ? slot.capacity() : ("/chunked".equals(txn.path) ? 5 : slot.capacity());
		int length = Math.min(piece, txn.response.length - txn.sent);
		slot.buffer().put(txn.response, txn.sent, length);
		int flags = (txn.sent == 0) ? StreamFlags.SOM : 0;
		txn.sent += length;
		if (txn.sent == txn.response.length) {
			flags |= StreamFlags.EOM;
		}
		slot.flags(flags);
		return StreamResult.OK;
	}

	private static final class Transaction {

		final String path;

		final String method;

		final String name;

		final ByteArrayOutputStream request = new ByteArrayOutputStream();

		volatile byte[] response;

		volatile boolean withLength;

		int sent;

		Transaction(String path, String method, String name) {
			this.path = path;
			this.method = method;
			this.name = name;
		}

		void reply(SecureStream stream, int status, String mime, byte[] body, boolean withLength) {
			this.response = body;
			this.withLength = withLength;
			stream.serverAck(status);
			stream.setMetadata("mime", mime);
			if (withLength) {
				stream.requestTxLen(body.length);
			}
			else {
				stream.requestTx();
			}
		}

	}

}
