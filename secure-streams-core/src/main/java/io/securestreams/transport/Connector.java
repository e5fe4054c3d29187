package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.tls.TlsContexts;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens client connections: picks the channel class for the address, adds the SOCKS5 proxy
 * handler (closest to the socket, so TLS runs end to end through the tunnel and the proxy
 * resolves the name) and the TLS handler, then lets the protocol add its handlers. The returned
 * future completes when the socket, the proxy and the TLS handshake are all done.
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
	 * @param connectTimeout the most a TCP connect may take
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
	 * @param protocolPipeline adds the protocol's handlers after the proxy and TLS handlers
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
	 * @param protocolPipeline adds the protocol's handlers after the proxy and TLS handlers
	 * @return a future of the ready channel, failed with the cause of a connect, proxy or TLS error
	 */
	public Future<Channel> connect(EventLoop loop, ConnectTarget target, @Nullable SslContext tls,
			SocketAttributes attributes, @Nullable ConnectionTimings timings, Consumer<ChannelPipeline> protocolPipeline) {
		if (timings != null) {
			timings.connectStarted();
		}
		InetSocketAddress socks5 = target.socks5();
		if (socks5 == null || !socks5.isUnresolved()) {
			return open(loop, target, socks5, tls, attributes, timings, protocolPipeline);
		}
		// A proxy named by host name is looked up by the context's resolver, off the event loop,
		// as any other name; cancelling the returned future cancels the lookup or the connect.
		Promise<Channel> ready = loop.newPromise();
		this.transport.resolverGroup().getResolver(loop).resolve(socks5).addListener((Future<InetSocketAddress> f) -> {
			if (ready.isDone()) {
				return;
			}
			if (!f.isSuccess()) {
				ready.tryFailure(f.cause());
				return;
			}
			PromiseNotifier.cascade(open(loop, target, f.getNow(), tls, attributes, timings, protocolPipeline), ready);
		});
		return ready;
	}

	private Future<Channel> open(EventLoop loop, ConnectTarget target, @Nullable InetSocketAddress socks5,
			@Nullable SslContext tls, SocketAttributes attributes, @Nullable ConnectionTimings timings,
			Consumer<ChannelPipeline> protocolPipeline) {
		Promise<Channel> ready = loop.newPromise();
		Bootstrap bootstrap = new Bootstrap().group(loop)
			.channel(this.transport.clientChannel(target.address()))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.connectTimeout.toMillis())
			.resolver((socks5 != null) ? NoopAddressResolverGroup.INSTANCE : this.transport.resolverGroup());
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
		bootstrap.handler(new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				ChannelPipeline pipeline = channel.pipeline();
				if (timings != null) {
					// First, so that it sees the socket's own connect and activation.
					pipeline.addLast("timings", new ConnectionTimingHandler(timings, looksUpName(target)));
				}
				if (socks5 != null) {
					Socks5ProxyHandler proxy = new Socks5ProxyHandler(socks5);
					proxy.setConnectTimeoutMillis(Connector.this.connectTimeout.toMillis());
					pipeline.addLast("socks5", proxy);
					proxy.connectFuture().addListener((f) -> {
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
		ChannelFuture connected = bootstrap.connect(target.address());
		connected.addListener((ChannelFuture f) -> {
			if (!f.isSuccess()) {
				if (timings != null && f.cause() instanceof UnknownHostException) {
					timings.lookupFailed();
				}
				ready.tryFailure(f.cause());
			}
			else if (tls == null && socks5 == null) {
				ready.trySuccess(f.channel());
			}
			f.channel().closeFuture().addListener((closed) -> {
				// Only a channel that closes before it is ready fails the promise; building the
				// exception (and its stack trace) for every ordinary close would be wasted.
				if (!ready.isDone()) {
					ready.tryFailure(new ClosedChannelException());
				}
			});
		});
		ready.addListener((f) -> {
			if (!f.isSuccess()) {
				connected.channel().close();
			}
		});
		return ready;
	}

	// Whether Netty's resolver looks a name up for this target: not for an address literal, a Unix
	// socket or a SOCKS5 proxy (which resolves the name itself).
	private static boolean looksUpName(ConnectTarget target) {
		return !target.isUnixSocket() && target.socks5() == null && !NetUtil.isValidIpV4Address(target.host())
				&& !NetUtil.isValidIpV6Address(target.host());
	}

}
