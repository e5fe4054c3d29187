package io.securestreams.server;

import java.net.SocketAddress;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.securestreams.StreamHandler;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.internal.LinkedStream;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;

/**
 * A connection accepted by a {@link ListenerStream}, with the listener's handler. It is taken
 * through CREATING and CONNECTING at once; the protocol binding reports CONNECTED (and, for
 * http, SERVER_TXN per request or SERVER_UPGRADE). When the peer goes, DISCONNECTED is reported
 * and the stream destroys itself (DESTROYING); accepted streams never retry.
 * <p>
 * {@code requestTx}, {@code requestTxLen} and {@code serverAck} called on the stream's event loop
 * (from a callback) take effect at once, so the binding sees them as soon as the callback
 * returns; the write itself happens in a following event-loop task.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class AcceptedStream extends LinkedStream {

	// The latest stream a channel carried, so that a listener that ends can let the stream close
	// its own connection (raw flushes, ws sends its closing handshake) instead of cutting it.
	private static final AttributeKey<AcceptedStream> STREAM = AttributeKey.valueOf(AcceptedStream.class, "stream");

	private final ListenerStream listener;

	private final Channel channel;

	private final AcceptedLink link;

	private @Nullable ServerConnection connection;

	private boolean responseRequested;

	private int ackStatus = -1;

	private boolean gone;

	private boolean detached;

	// Set once destruction is decided (DESTROY_ME): the link goes inert at once, so that nothing
	// the connection still delivers (more ws frames of the same read) reaches the handler.
	private boolean quiesced;

	AcceptedStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, Channel channel,
			ListenerStream listener) {
		super(runtime, policy, handler, StreamRole.ACCEPTED, channel.eventLoop());
		this.listener = listener;
		this.channel = channel;
		this.link = new AcceptedLink(this);
		channel.attr(STREAM).set(this);
	}

	/**
	 * Returns the accepted stream a channel carries (or carried last).
	 * @param channel a connection, or one stream of a multiplexed connection
	 * @return the stream, or {@code null} when the channel never carried one
	 */
	static @Nullable AcceptedStream of(Channel channel) {
		return channel.attr(STREAM).get();
	}

	/**
	 * Reports CREATING and CONNECTING and lets the protocol set the channel up. Called on the
	 * channel's event loop while it is being registered.
	 * @param protocol the listener's protocol binding
	 */
	void open(ServerProtocol protocol) {
		this.channel.closeFuture().addListener((f) -> peerGone());
		if (act(deliverCreating())) {
			this.channel.close();
			return;
		}
		this.connection = protocol.accept(this.channel, this.link);
		actOnStateOrRx(emit(StreamState.CONNECTING, 0));
	}

	/**
	 * Takes over the connection of a stream that {@link #handOver() handed it over}: CREATING,
	 * CONNECTING, CONNECTED.
	 * @param current the binding's connection
	 */
	private void adopt(ServerConnection current) {
		this.channel.closeFuture().addListener((f) -> peerGone());
		if (act(deliverCreating())) {
			this.channel.close();
			return;
		}
		this.connection = current;
		if (!actOnStateOrRx(emit(StreamState.CONNECTING, 0))) {
			actOnStateOrRx(emit(StreamState.CONNECTED, 0));
		}
	}

	/**
	 * Ends this stream, keeping its connection open for a new accepted stream.
	 * @return the new stream's link
	 */
	ServerLink handOver() {
		AcceptedStream next = this.listener.successor(this.channel);
		ServerConnection current = this.connection;
		this.connection = null;
		this.detached = true;
		peerGone();
		if (current != null) {
			next.adopt(current);
		}
		return next.link;
	}

	/**
	 * The socket and TLS are up: the binding may start.
	 */
	void transportReady() {
		ServerConnection current = this.connection;
		if (current != null && !isDestroyed()) {
			current.start();
		}
	}

	/**
	 * The connection closed: DISCONNECTED, then the stream is destroyed.
	 */
	void peerGone() {
		if (this.gone || isDestroyed()) {
			return;
		}
		this.gone = true;
		StreamState last = checkedState();
		if (last != null && last != StreamState.CREATING) {
			emit(StreamState.DISCONNECTED, 0);
		}
		destroyNow();
	}

	boolean isGone() {
		return this.gone || this.quiesced || isDestroyed();
	}

	@Override
	protected void quiesce() {
		this.quiesced = true;
	}

	StreamTypePolicy currentPolicy() {
		return this.policy;
	}

	String describe() {
		return "stream " + id() + " ('" + streamType() + "') from " + this.channel.remoteAddress();
	}

	boolean responseRequested() {
		return this.responseRequested;
	}

	int responseStatus() {
		return (this.ackStatus < 0) ? 404 : (this.ackStatus == 0) ? 200 : this.ackStatus;
	}

	void newTransaction() {
		this.metadata.clear();
		this.txRequested = false;
		this.responseRequested = false;
		clearTxLength();
		this.ackStatus = -1;
	}

	private void now(Runnable change, boolean write) {
		Runnable task = () -> {
			change.run();
			if (write) {
				execute(() -> {
					ServerConnection current = this.connection;
					if (current != null) {
						current.requestWrite();
					}
				});
			}
		};
		if (this.loop.inEventLoop()) {
			if (!isDestroyed()) {
				task.run();
			}
		}
		else {
			execute(task);
		}
	}

	@Override
	public void requestTx() {
		now(() -> {
			this.txRequested = true;
			this.responseRequested = true;
		}, true);
	}

	@Override
	public void requestTxLen(long length) {
		if (length < 0) {
			throw new IllegalArgumentException("length must not be negative");
		}
		now(() -> {
			announceTxLength(length);
			this.txRequested = true;
			this.responseRequested = true;
		}, true);
	}

	@Override
	public void serverAck(int status) {
		// A 1xx status is interim (RFC 9110 section 15.2): sent as the answer, the client would go
		// on waiting for the response while the server took the transaction as answered.
		if (status != 0 && (status < 200 || status > 999)) {
			throw new IllegalArgumentException("status must be 0 (for 200) or a final HTTP status 200..999, got "
					+ status + ((status >= 100 && status < 200) ? " (a 1xx status is only an interim answer)" : ""));
		}
		now(() -> this.ackStatus = status, false);
	}

	/**
	 * Does nothing: an accepted stream cannot connect anywhere.
	 */
	@Override
	public void connect() {
	}

	@Override
	public void validityConfirmed() {
		execute(() -> {
			ServerConnection current = this.connection;
			if (current != null) {
				current.validityConfirmed();
			}
		});
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		return VisibleAddresses.of(this.channel.remoteAddress());
	}

	@Override
	protected long listenerId() {
		return this.listener.id();
	}

	@Override
	protected void disconnect() {
		ServerConnection current = this.connection;
		if (current != null) {
			current.close();
		}
		else {
			this.channel.close();
		}
	}

	@Override
	protected void releaseResources() {
		this.listener.forget(this);
		if (!this.detached) {
			// Through the binding: an upgraded ws connection ends with the closing handshake
			// (docs/streams.md), as a ws client's does; the other bindings close at once.
			disconnect();
		}
	}

	/**
	 * Returns whether the streamtype is still a server one: an accepted stream of a streamtype
	 * an overlay turned into a client is ended, as its listener is.
	 * @param changed the streamtype's new policy
	 * @return {@code false} unless it is a server streamtype
	 */
	@Override
	public boolean canFollow(StreamTypePolicy changed) {
		return changed.server();
	}

}
