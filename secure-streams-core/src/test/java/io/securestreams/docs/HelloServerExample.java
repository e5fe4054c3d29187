package io.securestreams.docs;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;

/**
 * The example of {@code docs/servers.md}: an http server streamtype that answers
 * {@code GET /hello?name=x} and upgrades {@code ws://.../chat} connections to an echo. Run it
 * with {@code main} (port 7681, or the first argument); {@code HelloServerExampleTests} starts
 * it on an ephemeral port and talks to it.
 */
public final class HelloServerExample implements AutoCloseable {

	private final SecureStreams streams;

	private final SecureStream listener;

	private HelloServerExample(int port, StreamEventListener... listeners) {
		PolicyFragment policy = new PolicyFragment().release("example");
		policy.streamType("hello")
			.set(StreamTypeKey.SERVER, true)
			.set(StreamTypeKey.PROTOCOL, Protocol.H1)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.WS_SUBPROTOCOL, "chat")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", ""),
					new MetadataDeclaration("method", ""), new MetadataDeclaration("name", ""),
					new MetadataDeclaration("mime", "content-type:")));
		Policy built = policy.build();
		SecureStreams.Builder builder = SecureStreams.builder(built);
		for (StreamEventListener listener : listeners) {
			builder.listener(listener);
		}
		this.streams = builder.build();
		this.listener = this.streams.create("hello", new HttpHandler());
	}

	/**
	 * Starts the example server.
	 * @param port the port, 0 for an ephemeral one
	 * @param listeners observers of every stream's events (tests pass a transition guard)
	 * @return the running example
	 */
	public static HelloServerExample start(int port, StreamEventListener... listeners) {
		return new HelloServerExample(port, listeners);
	}

	/**
	 * Returns the port the server listens on.
	 * @return the port
	 */
	public int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	@Override
	public void close() {
		this.streams.close();
	}

	public static void main(String[] args) throws InterruptedException {
		HelloServerExample example = start((args.length > 0) ? Integer.parseInt(args[0]) : 7681);
		System.out.println("listening on http://127.0.0.1:" + example.port() + "/hello?name=you");
		Runtime.getRuntime().addShutdownHook(new Thread(example::close));
		Thread.currentThread().join();
	}

	/** The listener's handler: every accepted connection starts with it. */
	static final class HttpHandler implements StreamHandler {

		/** The body each accepted stream is sending, by stream id. */
		private final Map<Long, ByteBuffer> bodies = new ConcurrentHashMap<>();

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				// Request metadata ("path", "method", query arguments such as "name") is set now.
				boolean hello = "/hello".equals(stream.metadata("path"));
				String name = (stream.metadata("name") != null) ? stream.metadata("name") : "world";
				byte[] body = (hello ? "hello " + name : "not here").getBytes(StandardCharsets.UTF_8);
				stream.serverAck(hello ? 0 : 404); // 0 means 200
				stream.setMetadata("mime", "text/plain"); // sent as content-type
				this.bodies.put(stream.id(), ByteBuffer.wrap(body));
				stream.requestTxLen(body.length); // content-length, then onTx
			}
			else if (state == StreamState.SERVER_UPGRADE) {
				// From now on the connection carries ws messages: give it its own handler.
				stream.changeHandler(new ChatEcho());
			}
			else if (state == StreamState.DESTROYING) {
				this.bodies.remove(stream.id());
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			ByteBuffer body = this.bodies.get(stream.id());
			if (body == null) {
				return StreamResult.TX_DONT_SEND;
			}
			int flags = (body.position() == 0) ? StreamFlags.SOM : 0;
			ByteBuffer piece = body.slice();
			piece.limit(Math.min(piece.remaining(), slot.capacity()));
			body.position(body.position() + piece.remaining());
			slot.buffer().put(piece);
			slot.flags(body.hasRemaining() ? flags : flags | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	/** Echoes each ws message of one upgraded connection (messages up to one tx buffer). */
	static final class ChatEcho implements StreamHandler {

		private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();

		private final java.util.ArrayDeque<byte[]> outgoing = new java.util.ArrayDeque<>();

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			byte[] bytes = new byte[payload.remaining()];
			payload.get(bytes);
			this.message.write(bytes, 0, bytes.length);
			if (StreamFlags.has(flags, StreamFlags.EOM)) {
				this.outgoing.add(this.message.toByteArray());
				this.message.reset();
				stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			byte[] next = this.outgoing.poll();
			if (next == null) {
				return StreamResult.TX_DONT_SEND;
			}
			slot.write(next).flags(StreamFlags.SOM | StreamFlags.EOM);
			if (!this.outgoing.isEmpty()) {
				stream.requestTx();
			}
			return StreamResult.OK;
		}

	}

}
