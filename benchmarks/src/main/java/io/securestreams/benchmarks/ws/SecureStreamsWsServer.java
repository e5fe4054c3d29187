package io.securestreams.benchmarks.ws;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;

/**
 * This runtime's ws server: an h1 server streamtype with {@code ws_subprotocol}, whose accepted
 * streams switch to an echo handler at SERVER_UPGRADE. The handler copies each received
 * fragment (the rx buffer is only valid during the call) and sends it back with the same
 * SOM/EOM flags, in as many tx calls as the tx buffer needs.
 */
final class SecureStreamsWsServer implements WsServerUnderTest {

	private final SecureStreams streams;

	private final SecureStream listener;

	SecureStreamsWsServer(int threads) {
		PolicyFragment fragment = new PolicyFragment().release("bench");
		fragment.streamType("echo-server")
			.set(StreamTypeKey.SERVER, true)
			.set(StreamTypeKey.PROTOCOL, Protocol.H1)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 0)
			.set(StreamTypeKey.WS_SUBPROTOCOL, SUBPROTOCOL)
			.set(StreamTypeKey.WS_BINARY, true)
			.set(StreamTypeKey.METADATA,
					List.of(new MetadataDeclaration("path", ""), new MetadataDeclaration("method", "")));
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(threads).build();
		this.listener = this.streams.create("echo-server", new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.SERVER_UPGRADE) {
					stream.changeHandler(new Echo());
				}
				return StreamResult.OK;
			}
		});
	}

	@Override
	public String name() {
		return "secure-streams";
	}

	@Override
	public int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	@Override
	public void close() {
		this.streams.close();
	}

	/** Echoes one upgraded connection. */
	private static final class Echo implements StreamHandler {

		private final ArrayDeque<byte[]> fragments = new ArrayDeque<>();

		private final ArrayDeque<Integer> flags = new ArrayDeque<>();

		private int offset;

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int rxFlags) {
			byte[] copy = new byte[payload.remaining()];
			payload.get(copy);
			this.fragments.add(copy);
			this.flags.add(rxFlags & (StreamFlags.SOM | StreamFlags.EOM));
			if (this.fragments.size() == 1) {
				stream.requestTx();
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			byte[] fragment = this.fragments.peek();
			if (fragment == null) {
				return StreamResult.TX_DONT_SEND;
			}
			int fragmentFlags = this.flags.peek();
			int length = Math.min(slot.capacity(), fragment.length - this.offset);
			slot.buffer().put(fragment, this.offset, length);
			int out = (this.offset == 0) ? (fragmentFlags & StreamFlags.SOM) : 0;
			this.offset += length;
			if (this.offset == fragment.length) {
				out |= fragmentFlags & StreamFlags.EOM;
				this.fragments.poll();
				this.flags.poll();
				this.offset = 0;
				if (!this.fragments.isEmpty()) {
					// A message in progress makes the runtime call again by itself; between
					// messages it waits to be asked.
					stream.requestTx();
				}
			}
			slot.flags(out);
			return StreamResult.OK;
		}

	}

}
