package io.securestreams.benchmarks.ws;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;

/**
 * This runtime's ws client: one stream per connection, binary messages. {@code onTx} copies the
 * message into the tx slot (16 KiB, so a 64 KiB message goes out as four frames, the runtime
 * calling {@code onTx} again while the message is open); {@code onRx} counts the echoed
 * fragments and asks to send the next message at the final one.
 */
final class SecureStreamsWsClient implements WsClientUnderTest {

	private final SecureStreams streams;

	SecureStreamsWsClient(Map<String, Integer> servers, int threads) {
		PolicyFragment fragment = new PolicyFragment().release("bench");
		servers.forEach((name, port) -> fragment.streamType(streamType(name))
			.set(StreamTypeKey.PROTOCOL, Protocol.WS)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.HTTP_URL, WsServerUnderTest.PATH)
			.set(StreamTypeKey.WS_SUBPROTOCOL, WsServerUnderTest.SUBPROTOCOL)
			.set(StreamTypeKey.WS_BINARY, true)
			.set(StreamTypeKey.OPPORTUNISTIC, true));
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(threads).build();
	}

	private static String streamType(String server) {
		return "echo-" + server;
	}

	@Override
	public String name() {
		return "secure-streams";
	}

	@Override
	public long echo(WsServerUnderTest server, int connections, int messages, int size) throws Exception {
		byte[] payload = WsEchoComparison.payload(size);
		List<Echo> echoes = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				Echo echo = new Echo(payload, messages);
				echo.stream = this.streams.create(streamType(server.name()), echo);
				echo.stream.connect();
				echoes.add(echo);
			}
			for (Echo echo : echoes) {
				echo.connected.get(30, TimeUnit.SECONDS);
			}
			long start = System.nanoTime();
			for (Echo echo : echoes) {
				echo.stream.requestTx();
			}
			for (Echo echo : echoes) {
				echo.done.get(10, TimeUnit.MINUTES);
			}
			return System.nanoTime() - start;
		}
		finally {
			for (Echo echo : echoes) {
				if (echo.stream != null) {
					echo.stream.destroy();
				}
			}
		}
	}

	@Override
	public void close() {
		this.streams.close();
	}

	/** One connection's exchange. */
	private static final class Echo implements StreamHandler {

		final CompletableFuture<Void> connected = new CompletableFuture<>();

		final CompletableFuture<Void> done = new CompletableFuture<>();

		private final byte[] payload;

		private final int messages;

		SecureStream stream;

		private int offset;

		private int echoed;

		private long bytes;

		Echo(byte[] payload, int messages) {
			this.payload = payload;
			this.messages = messages;
		}

		@Override
		public StreamResult onState(SecureStream s, StreamState state, long ack) {
			if (state == StreamState.CONNECTED) {
				this.connected.complete(null);
			}
			else if (state == StreamState.DISCONNECTED || state == StreamState.UNREACHABLE) {
				IllegalStateException failure = new IllegalStateException("ws connection: " + state);
				this.connected.completeExceptionally(failure);
				this.done.completeExceptionally(failure);
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream s, TxSlot slot) {
			int length = Math.min(slot.capacity(), this.payload.length - this.offset);
			slot.buffer().put(this.payload, this.offset, length);
			int flags = (this.offset == 0) ? StreamFlags.SOM : 0;
			this.offset += length;
			if (this.offset == this.payload.length) {
				flags |= StreamFlags.EOM;
				this.offset = 0;
			}
			slot.flags(flags);
			return StreamResult.OK;
		}

		@Override
		public StreamResult onRx(SecureStream s, ByteBuffer data, int flags) {
			this.bytes += data.remaining();
			if ((flags & StreamFlags.EOM) != 0) {
				this.echoed++;
				if (this.bytes != (long) this.echoed * this.payload.length) {
					this.done.completeExceptionally(new IllegalStateException(
							"echoed " + this.bytes + " bytes for " + this.echoed + " messages"));
				}
				else if (this.echoed == this.messages) {
					this.done.complete(null);
				}
				else {
					s.requestTx();
				}
			}
			return StreamResult.OK;
		}

	}

}
