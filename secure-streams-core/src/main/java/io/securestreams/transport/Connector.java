package io.securestreams.transport;

import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.tls.TlsContexts;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens client connections: picks the channel class for the address, adds the SOCKS5 proxy
 * handler (closest to the socket, so TLS runs end to end through the tunnel and the proxy
 * resolves the name) and the TLS handler, then lets the protocol add its handlers. The returned
 * future completes when the socket, the proxy and the TLS handshake are all done. A name with
 * several addresses gets a connect to each in turn until one socket connects
 * ({@link AddressAttempts}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class Connector {

	/** Name of the TLS handler in client pipelines. */
	public static final String TLS_HANDLER = "tls";

	/**
	 * Linux {@code SO_PRIORITY} ({@code SOL_SOCKET} 1, option 12), which {@code attr_priority}
	 * sets as libwebsockets does; the JDK has no such option, so only the native transport can.
	 */
	static final ChannelOption<Integer> SO_PRIORITY = new IntegerUnixChannelOption("SO_PRIORITY", 1, 12);

	private static final Logger logger = LoggerFactory.getLogger(Connector.class);

	private final AtomicBoolean priorityWarned = new AtomicBoolean();

	private final TransportResources transport;

	private final Duration connectTimeout;

	/**
	 * Creates a connector.
	 * @param transport the event loops and channel classes
	 * @param connectTimeout the most a name lookup, a TCP connect to one address, a SOCKS5
	 * negotiation or a TLS handshake may take
	 */
	public Connector(TransportResources transport, Duration connectTimeout) {
		this.transport = transport;
		this.connectTimeout = connectTimeout;
	}

	/**
	 * Connects.
	 * @param loop the stream's event loop, which the channel is registered on
	 * @param target where to connect
	 * @param tls the TLS context when {@code target.tls()} is set
	 * @param attributes socket hints from the policy
	 * @param protocolPipeline adds the protocol's handlers after the proxy and TLS handlers; called once
	 * per address tried, so it must add new handler instances each time
	 * @return a future of the ready channel, failed with the cause of a connect, proxy or TLS error
	 */
	public Future<Channel> connect(EventLoop loop, ConnectTarget target, @Nullable SslContext tls,
			SocketAttributes attributes, Consumer<ChannelPipeline> protocolPipeline) {
		return connect(loop, target, tls, attributes, null, protocolPipeline);
	}

	/**
	 * Connects, recording how long each phase took.
	 * @param loop the stream's event loop, which the channel is registered on
	 * @param target where to connect
	 * @param tls the TLS context when {@code target.tls()} is set
	 * @param attributes socket hints from the policy
	 * @param timings records the name lookup, socket and TLS phases, or {@code null} for none
	 * @param protocolPipeline adds the protocol's handlers after the proxy and TLS handlers; called once
	 * per address tried, so it must add new handler instances each time
	 * @return a future of the ready channel, failed with the cause of a connect, proxy or TLS error
	 */
	public Future<Channel> connect(EventLoop loop, ConnectTarget target, @Nullable SslContext tls,
			SocketAttributes attributes, @Nullable ConnectionTimings timings,
			Consumer<ChannelPipeline> protocolPipeline) {
		if (timings != null) {
			timings.connectStarted();
		}
		InetSocketAddress socks5 = target.socks5();
		// The socket goes to the SOCKS5 proxy when there is one (the proxy resolves the target's
		// name itself), else to the target.
		SocketAddress peer = (socks5 != null) ? socks5 : target.address();
		Function<SocketAddress, AddressAttempts.Attempt> opener = (address) -> open(loop, target, address,
				socks5 != null, tls, attributes, timings, protocolPipeline);
		Promise<Channel> ready = loop.newPromise();
		if (!(peer instanceof InetSocketAddress inet) || !inet.isUnresolved()) {
			AddressAttempts.start(ready, List.of(peer), opener);
			return ready;
		}
		// Every address of the name, looked up off the event loop by the context's resolver; the
		// connects try them in turn. Cancelling the returned future cancels the lookup or the connect.
		boolean lookedUp = socks5 == null && looksUpName(target);
		Future<List<InetSocketAddress>> lookup = AddressAttempts.resolveAll(loop, this.transport.resolverGroup(), inet,
				this.connectTimeout.toMillis());
		lookup.addListener((Future<List<InetSocketAddress>> f) -> {
			if (ready.isDone()) {
				return;
			}
			if (!f.isSuccess()) {
				if (timings != null && lookedUp) {
					timings.lookupFailed();
				}
				ready.tryFailure(f.cause());
				return;
			}
			if (timings != null && lookedUp) {
				timings.nameResolved(f.getNow());
			}
			AddressAttempts.start(ready, f.getNow(), opener);
		});
		return ready;
	}

	// One connect to one address: the target's (resolved), or the proxy's when viaSocks5.
	private AddressAttempts.Attempt open(EventLoop loop, ConnectTarget target, SocketAddress socketPeer,
			boolean viaSocks5, @Nullable SslContext tls, SocketAttributes attributes,
			@Nullable ConnectionTimings timings, Consumer<ChannelPipeline> protocolPipeline) {
		Promise<Channel> ready = loop.newPromise();
		Bootstrap bootstrap = new Bootstrap().group(loop)
			.channel(this.transport.clientChannel(target.address()))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.connectTimeout.toMillis())
			// Addresses are resolved by now, or left for the SOCKS5 proxy to resolve.
			.resolver(NoopAddressResolverGroup.INSTANCE);
		if (!target.isUnixSocket()) {
			bootstrap.option(ChannelOption.TCP_NODELAY, true);
			if (attributes.typeOfService() != 0) {
				bootstrap.option(ChannelOption.IP_TOS, attributes.typeOfService());
			}
		}
		Integer priority = attributes.priority();
		if (priority != null) {
			if (this.transport.isNative()) {
				bootstrap.option(SO_PRIORITY, priority);
			}
			else if (this.priorityWarned.compareAndSet(false, true)) {
				logger.warn("attr_priority {} is not applied: SO_PRIORITY needs the native epoll transport", priority);
			}
		}
		// One per channel: open() makes one connect.
		Socks5ProxyHandler proxy = viaSocks5 ? new Socks5ProxyHandler(socketPeer) : null;
		bootstrap.handler(new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				Connector.this.transport.track(channel);
				ChannelPipeline pipeline = channel.pipeline();
				if (timings != null) {
					// First, so that it sees the socket's own connect and activation.
					pipeline.addLast("timings", new ConnectionTimingHandler(timings));
				}
				if (proxy != null) {
					proxy.setConnectTimeoutMillis(Connector.this.connectTimeout.toMillis());
					pipeline.addLast("socks5", proxy);
					// The proxy handler has put its reply decoder in front of itself by now.
					Socks5ReplyCheck check = new Socks5ReplyCheck();
					pipeline.addBefore("socks5", "socks5-check", check);
					proxy.connectFuture().addListener((f) -> {
						if (pipeline.context(check) != null) {
							pipeline.remove(check);
						}
						if (!f.isSuccess()) {
							ready.tryFailure(f.cause());
						}
						else if (tls == null) {
							ready.trySuccess(channel);
						}
					});
				}
				if (tls != null) {
					SslHandler ssl = TlsContexts.newClientHandler(tls, channel.alloc(), target);
					ssl.setHandshakeTimeoutMillis(Connector.this.connectTimeout.toMillis());
					pipeline.addLast(TLS_HANDLER, ssl);
					ssl.handshakeFuture().addListener((f) -> {
						if (f.isSuccess()) {
							if (timings != null) {
								timings.tlsEstablished();
							}
							ready.trySuccess(channel);
						}
						else {
							ready.tryFailure(f.cause());
						}
					});
				}
				protocolPipeline.accept(pipeline);
			}
		});
		// Through a proxy the channel connects to the target, which the proxy handler turns into a
		// connect to the proxy and a CONNECT request for the target.
		ChannelFuture connected = bootstrap.connect(viaSocks5 ? target.address() : socketPeer);
		connected.addListener((ChannelFuture f) -> {
			if (!f.isSuccess()) {
				ready.tryFailure(namingThePeer(f.cause(), socketPeer));
			}
			else if (tls == null && !viaSocks5) {
				ready.trySuccess(f.channel());
			}
			f.channel().closeFuture().addListener((closed) -> {
				// Only a channel that closes before it is ready fails the promise; building the
				// exception (and its stack trace) for every ordinary close would be wasted.
				if (!ready.isDone()) {
					ready.tryFailure(closedBeforeReady(proxy, tls != null, viaSocks5 ? target.address() : socketPeer));
				}
			});
		});
		ready.addListener((f) -> {
			if (!f.isSuccess()) {
				connected.channel().close();
			}
		});
		return new AddressAttempts.Attempt(ready, connected);
	}

	// The close future completes before the pipeline hears of the close, so a proxy or a TLS server
	// that hangs up in the middle of its negotiation would otherwise be reported as a bare
	// ClosedChannelException.
	private static Exception closedBeforeReady(@Nullable Socks5ProxyHandler proxy, boolean tls, SocketAddress peer) {
		if (proxy != null && !proxy.connectFuture().isDone()) {
			return new ProxyConnectException("socks5 proxy " + proxy.proxyAddress() + " closed the connection before "
					+ "its CONNECT to " + proxy.destinationAddress() + " succeeded");
		}
		if (tls) {
			return new SSLException(peer + " closed the connection during the TLS handshake");
		}
		return new ClosedChannelException();
	}

	// Netty's epoll transport fails a connect to a Unix socket path that does not exist with a
	// FileNotFoundException without a message, which would leave the log line without the path.
	// The exception carries nothing else, so it is replaced rather than wrapped. A message that
	// names an abstract socket has its leading NUL, which would put a NUL byte in the log line
	// and hide the name's '@'; it is wrapped with the name as it is written.
	private static Throwable namingThePeer(Throwable cause, SocketAddress peer) {
		String message = cause.getMessage();
		if (message != null && message.indexOf('\0') >= 0) {
			ConnectException named = new ConnectException(message.replace('\0', '@'));
			named.initCause(cause);
			return named;
		}
		if (message != null) {
			return cause;
		}
		String why = (cause instanceof FileNotFoundException) ? "No such file or directory"
				: cause.getClass().getSimpleName();
		return new ConnectException(why + ": " + peer.toString().replace('\0', '@'));
	}

	// Whether Netty's resolver looks a name up for this target: not for an address literal, a Unix
	// socket or a SOCKS5 proxy (which resolves the name itself).
	private static boolean looksUpName(ConnectTarget target) {
		return !target.isUnixSocket() && target.socks5() == null && !NetUtil.isValidIpV4Address(target.host())
				&& !NetUtil.isValidIpV6Address(target.host());
	}

}
