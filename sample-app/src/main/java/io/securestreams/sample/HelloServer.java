package io.securestreams.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.boot.annotation.Flags;
import io.securestreams.boot.annotation.Metadata;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.OnTx;
import io.securestreams.boot.annotation.SecureStreamHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;
import org.springframework.util.StreamUtils;

/**
 * The server streamtype {@code sample-server} (an h2 server, which serves the sample's http/1.1
 * and ws clients over http/1.1): answers {@code GET /hello}, serves a policy at
 * {@code /policy.json} (for the remote policy fetch, with the port this server listens on), and
 * echoes ws messages after an upgrade.
 * Every accepted stream is dispatched to these methods.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Component
@SecureStreamHandler(streamtype = "sample-server", id = HelloServer.ID)
class HelloServer {

	static final String ID = "sample-server";

	private static final Logger logger = LoggerFactory.getLogger(HelloServer.class);

	private final Map<Long, Deque<Outgoing>> outgoing = new ConcurrentHashMap<>();

	private final AtomicLong requests = new AtomicLong();

	// The port the policy file names for the sample server and its clients.
	private static final String DEFAULT_PORT = "\"port\": 7681";

	private final SecureStreams streams;

	private final byte[] remotePolicy;

	HelloServer(SecureStreams streams) {
		this.streams = streams;
		try {
			this.remotePolicy = StreamUtils
				.copyToByteArray(new ClassPathResource("secure-streams/remote-policy.json").getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@OnState("SERVER_TXN")
	void request(SecureStream stream, @Metadata("method") @Nullable String method,
			@Metadata("path") @Nullable String path) {
		long number = this.requests.incrementAndGet();
		logger.info("sample-server #{}: {} {}", stream.id(), method, path);
		if ("/policy.json".equals(path)) {
			respond(stream, 200, "application/json", remotePolicyFor(stream));
		}
		else if ("/generate_204".equals(path)) {
			// The connectivity check the captive portal detection asks for.
			respond(stream, 204, "text/plain", new byte[0]);
		}
		else if ("/hello".equals(path)) {
			respond(stream, 200, "text/plain",
					("hello #" + number + " from the sample server streamtype\n").getBytes(StandardCharsets.UTF_8));
		}
		else {
			respond(stream, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
		}
	}

	// With sample.port=0 the sample listens elsewhere than the file says: serve the policy with
	// that port, so that a fetched policy keeps the clients pointed at this server.
	private byte[] remotePolicyFor(SecureStream stream) {
		SecureStream listener = this.streams.stream(stream.info().listenerId());
		if (listener != null && listener.localAddress() instanceof InetSocketAddress local) {
			String policy = new String(this.remotePolicy, StandardCharsets.UTF_8);
			return policy.replace(DEFAULT_PORT, "\"port\": " + local.getPort()).getBytes(StandardCharsets.UTF_8);
		}
		return this.remotePolicy;
	}

	private void respond(SecureStream stream, int status, String mime, byte[] body) {
		stream.serverAck((status == 200) ? 0 : status);
		stream.setMetadata("mime", mime);
		queue(stream).add(new Outgoing(body, StreamFlags.SOM | StreamFlags.EOM));
		stream.requestTxLen(body.length);
	}

	@OnState("SERVER_UPGRADE")
	void upgraded(SecureStream stream) {
		logger.info("sample-server #{}: upgraded to ws, echoing messages", stream.id());
	}

	@OnRx
	void received(SecureStream stream, StreamState state, byte[] payload, @Flags int flags) {
		if (state == StreamState.SERVER_UPGRADE && (payload.length > 0 || StreamFlags.has(flags, StreamFlags.EOM))) {
			queue(stream).add(new Outgoing(payload, flags & (StreamFlags.SOM | StreamFlags.EOM)));
			stream.requestTx();
		}
	}

	@OnTx
	StreamResult send(SecureStream stream, TxSlot slot) {
		Deque<Outgoing> queue = queue(stream);
		Outgoing next = queue.peek();
		if (next == null) {
			return StreamResult.TX_DONT_SEND;
		}
		slot.flags(next.writeTo(slot));
		if (next.isDone()) {
			queue.poll();
		}
		if (!queue.isEmpty()) {
			stream.requestTx();
		}
		return StreamResult.OK;
	}

	@OnState("DESTROYING")
	void destroyed(SecureStream stream) {
		this.outgoing.remove(stream.id());
	}

	private Deque<Outgoing> queue(SecureStream stream) {
		return this.outgoing.computeIfAbsent(stream.id(), (id) -> new ConcurrentLinkedDeque<>());
	}

	/**
	 * A message to send, possibly over several tx calls.
	 */
	private static final class Outgoing {

		private final byte[] bytes;

		private final int flags;

		private int position;

		Outgoing(byte[] bytes, int flags) {
			this.bytes = bytes;
			this.flags = flags;
		}

		int writeTo(TxSlot slot) {
			int length = Math.min(slot.capacity(), this.bytes.length - this.position);
			int flags = (this.position == 0) ? (this.flags & StreamFlags.SOM) : 0;
			slot.buffer().put(this.bytes, this.position, length);
			this.position += length;
			return isDone() ? flags | (this.flags & StreamFlags.EOM) : flags;
		}

		boolean isDone() {
			return this.position >= this.bytes.length;
		}

	}

}
