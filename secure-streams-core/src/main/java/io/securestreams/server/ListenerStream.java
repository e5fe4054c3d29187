package io.securestreams.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.securestreams.ProtocolLimits;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.internal.AbstractStream;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.QuickAckHandler;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream of a server streamtype ({@code "server": true}): it binds the listening socket and
 * only ever reports CREATING (and DESTROYING). Every accepted connection becomes an
 * {@link AcceptedStream} with this stream's handler. Destroying the listener closes the socket
 * and destroys every accepted stream. {@code requestTx} and {@code connect} do nothing.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ListenerStream extends AbstractStream {

	private static final Logger logger = LoggerFactory.getLogger(ListenerStream.class);

	private final ServerProtocol protocol;

	private final @Nullable SslContext tls;

	private final Set<AcceptedStream> accepted = ConcurrentHashMap.newKeySet();

	// The accepted connections: for h2 these are not the accepted streams' channels, and must
	// close with the listener too.
	private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

	private final StreamAcceptor acceptor = new ListenerAcceptor(this);

	private @Nullable Channel serverChannel;

	// The socket file this listener bound, kept from creation: a policy change replaces the
	// streamtype policy but not the bound socket, and the endpoint it names then may be another
	// listener's socket, which destroying this one must not remove.
	private final @Nullable Path socketFile;

	private ListenerStream(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler, EventLoop loop,
			ServerProtocol protocol, @Nullable SslContext tls) {
		super(runtime, policy, handler, StreamRole.LISTENER, loop);
		this.protocol = protocol;
		this.tls = tls;
		this.socketFile = BindAddress.unixSocketPath(policy);
	}

	/**
	 * Validates the streamtype, binds its address and reports CREATING. Must not be called on
	 * an event loop of the context.
	 * @param runtime the context internals
	 * @param policy the server streamtype
	 * @param handler the handler of the listener and of every accepted stream
	 * @param protocols the server bindings
	 * @return the listening stream
	 * @throws SecureStreamsException if the policy is incomplete, the address cannot be bound, or
	 * the handler refused creation
	 * @throws IllegalStateException when called on one of the context's event loops
	 */
	public static ListenerStream open(StreamsRuntime runtime, StreamTypePolicy policy, StreamHandler handler,
			ServerProtocols protocols) {
		ServerProtocol protocol = protocols.forProtocol(policy.protocol());
		protocol.validate(policy);
		SslContext tls = policy.tls().enabled()
				? runtime.tls().serverContext(runtime.policy(), policy, protocol.alpn()) : null;
		SocketAddress address = BindAddress.resolve(policy, runtime.transport());
		EventLoop loop = pickLoop(runtime, policy);
		ListenerStream listener = new ListenerStream(runtime, policy, handler, loop, protocol, tls);
		listener.bind(address);
		if (listener.deliverCreating() == StreamResult.DESTROY_ME) {
			listener.destroyNow();
			throw new SecureStreamsException("the handler refused stream creation (DESTROY_ME from CREATING) for '"
					+ policy.name() + "'");
		}
		listener.startAccepting();
		logger.info("server streamtype '{}' ({}{}) listening on {}", policy.name(), policy.protocol().jsonName(),
				(tls != null) ? ", tls" : "", listener.localAddress());
		return listener;
	}

	// An abstract Unix socket's bind address and the transport's failure text start with a NUL
	// byte, which would make the log a binary file and hide the '@' the policy writes the name with.
	private static String printable(String text) {
		return text.replace('\0', '@');
	}

	private static EventLoop pickLoop(StreamsRuntime runtime, StreamTypePolicy policy) {
		if (runtime.transport().inEventLoop()) {
			// Binding waits for the listener's loop, another one, whose callback may be waiting for
			// this loop in turn (two callbacks creating listeners at once): both loops, and the
			// context with them, would stop for good.
			throw new IllegalStateException("server streamtype '" + policy.name() + "': create listeners from an "
					+ "application thread, not from a callback on an event loop, where binding could deadlock");
		}
		return runtime.transport().nextLoop();
	}

	private void bind(SocketAddress address) {
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.loop, this.runtime.transport().group())
			.channel(this.runtime.transport().serverChannel(address))
			// Nothing is accepted before the listener's CREATING returned OK (startAccepting): a
			// connection arriving meanwhile would be served before the handler heard of its
			// listener, and served even when the handler refused the listener with DESTROY_ME.
			// The kernel's backlog holds it until then.
			.option(ChannelOption.AUTO_READ, false)
			.childHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel channel) {
					accept(channel);
				}
			});
		if (address instanceof InetSocketAddress) {
			bootstrap.option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true);
			int tos = this.policy.attributes().typeOfService();
			if (tos != 0) {
				bootstrap.childOption(ChannelOption.IP_TOS, tos);
			}
		}
		ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			throw new SecureStreamsException(printable("server streamtype '" + this.policy.name()
					+ "' cannot listen on " + address + ": " + bound.cause().getMessage()), bound.cause());
		}
		this.serverChannel = bound.channel();
		this.runtime.transport().track(bound.channel());
	}

	private void startAccepting() {
		Channel channel = this.serverChannel;
		if (channel != null) {
			channel.config().setAutoRead(true);
		}
	}

	private void accept(Channel channel) {
		this.runtime.transport().track(channel);
		// Listed before the check (this runs on a child loop, a destroy on another thread): the
		// destroy either finds the channel in the set or was marked before the check, so no
		// connection accepted in between outlives the listener.
		this.connections.add(channel);
		if (isDestroyed()) {
			this.connections.remove(channel);
			channel.close();
			return;
		}
		channel.closeFuture().addListener((closed) -> this.connections.remove(channel));
		// A client that leaves Nagle on (OkHttp does) holds the rest of a request body until the
		// part sent is acknowledged: without a quick ACK for reads the server does not answer at
		// once, each such request waited for the kernel's delayed ACK (a 20 KB h2 upload took
		// 45 ms instead of 1).
		channel.pipeline().addLast("quick-ack", new QuickAckHandler());
		if (this.tls != null) {
			SslHandler ssl = this.tls.newHandler(channel.alloc());
			ssl.setHandshakeTimeoutMillis(this.runtime.limits().handshakeTimeout().toMillis());
			channel.pipeline().addLast("tls", ssl);
		}
		this.protocol.acceptConnection(channel, this.acceptor);
	}

	boolean servesTls() {
		return this.tls != null;
	}

	StreamTypePolicy streamTypePolicy() {
		return this.policy;
	}

	ProtocolLimits limits() {
		return this.runtime.limits();
	}

	/**
	 * Creates and lists a new accepted stream on a channel (a new connection, an h2 stream, or a
	 * connection handed over to a successor).
	 * @param channel the channel
	 * @return the stream, not yet opened
	 */
	AcceptedStream successor(Channel channel) {
		AcceptedStream stream = new AcceptedStream(this.runtime, this.policy, handler(), channel, this);
		this.accepted.add(stream);
		return stream;
	}

	void forget(AcceptedStream stream) {
		this.accepted.remove(stream);
	}

	/**
	 * Returns whether the streamtype is still a server one: the listener of a streamtype an
	 * overlay turned into a client is ended (its socket closed), since it has nothing to serve.
	 * @param changed the streamtype's new policy
	 * @return {@code false} unless it is a server streamtype
	 */
	@Override
	public boolean canFollow(StreamTypePolicy changed) {
		return changed.server();
	}

	/**
	 * Does nothing: a listener never sends.
	 */
	@Override
	public void requestTx() {
	}

	/**
	 * Does nothing but check the length as every stream does: a listener never sends.
	 * @param length not used
	 */
	@Override
	public void requestTxLen(long length) {
		if (length < 0) {
			throw new IllegalArgumentException("length must not be negative");
		}
	}

	/**
	 * Does nothing: a listener does not connect.
	 */
	@Override
	public void connect() {
	}

	/**
	 * Does nothing: a listener has no connection to check.
	 */
	@Override
	public void validityConfirmed() {
	}

	@Override
	public @Nullable SocketAddress peerAddress() {
		return null;
	}

	@Override
	public @Nullable SocketAddress localAddress() {
		Channel channel = this.serverChannel;
		return (channel != null) ? VisibleAddresses.of(channel.localAddress()) : null;
	}

	@Override
	public List<SecureStream> acceptedStreams() {
		return List.copyOf(this.accepted);
	}

	@Override
	protected void disconnect() {
	}

	// A connection that carries an accepted stream ends as that stream's destroy() ends it (a raw
	// one sends what its handler handed over first, an upgraded ws one its closing handshake); on
	// the connection's loop, after the destroy() above, and for a stream created in between too.
	// A connection that carries no stream of its own (h2) is closed.
	private static void endConnection(Channel connection) {
		Runnable end = () -> {
			AcceptedStream stream = AcceptedStream.of(connection);
			if (stream != null) {
				stream.destroy();
			}
			else {
				connection.close();
			}
		};
		try {
			connection.eventLoop().execute(end);
		}
		catch (RejectedExecutionException stopped) {
			connection.close();
		}
	}

	@Override
	protected void releaseResources() {
		Channel channel = this.serverChannel;
		if (channel != null) {
			channel.close();
		}
		for (AcceptedStream stream : this.accepted) {
			stream.destroy();
		}
		for (Channel connection : this.connections) {
			endConnection(connection);
		}
		Path socket = this.socketFile;
		if (socket != null) {
			try {
				Files.deleteIfExists(socket);
			}
			catch (IOException ex) {
				logger.debug("could not remove Unix socket {}: {}", socket, ex.getMessage());
			}
		}
	}

}
