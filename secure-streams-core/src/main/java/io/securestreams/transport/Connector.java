package io.securestreams.transport;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.tls.TlsContexts;
import org.jspecify.annotations.Nullable;

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
		Promise<Channel> ready = loop.newPromise();
		Bootstrap bootstrap = new Bootstrap().group(loop)
			.channel(this.transport.clientChannel(target.address()))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.connectTimeout.toMillis())
			.resolver((target.socks5() != null) ? NoopAddressResolverGroup.INSTANCE : this.transport.resolverGroup());
		if (!target.isUnixSocket()) {
			bootstrap.option(ChannelOption.TCP_NODELAY, true);
			if (attributes.typeOfService() != 0) {
				bootstrap.option(ChannelOption.IP_TOS, attributes.typeOfService());
			}
		}
		bootstrap.handler(new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				ChannelPipeline pipeline = channel.pipeline();
				if (target.socks5() != null) {
					Socks5ProxyHandler proxy = new Socks5ProxyHandler(target.socks5());
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
				ready.tryFailure(f.cause());
			}
			else if (tls == null && target.socks5() == null) {
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

}
