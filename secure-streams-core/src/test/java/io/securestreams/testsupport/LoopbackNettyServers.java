package io.securestreams.testsupport;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Netty servers on 127.0.0.1 at a free port for one test, such as a {@link FrameByFrameH2Server}
 * per connection, on an event loop thread of their own, counting the connections they accept.
 * <p>
 * Register it with {@code @RegisterExtension} on a field declared after the {@link TestResources}
 * field: JUnit then runs its shutdown first, so the servers and their accepted connections close
 * before the client contexts do, and a context never sees its server outlive it.
 */
public final class LoopbackNettyServers implements AfterEachCallback {

	private final AtomicInteger connections = new AtomicInteger();

	private EventLoopGroup group;

	/**
	 * Starts a server.
	 * @param perConnection the handler for each accepted connection, given its index among all the
	 * connections these servers accepted, from 0
	 * @return the port it listens on
	 */
	public int start(IntFunction<ChannelHandler> perConnection) throws InterruptedException {
		if (this.group == null) {
			this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		}
		Channel server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel ch) {
					int index = LoopbackNettyServers.this.connections.getAndIncrement();
					ch.pipeline().addLast(perConnection.apply(index));
				}
			})
			.bind("127.0.0.1", 0)
			.sync()
			.channel();
		return ((InetSocketAddress) server.localAddress()).getPort();
	}

	/**
	 * Returns how many connections the servers accepted.
	 * @return the count
	 */
	public int connections() {
		return this.connections.get();
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		if (this.group != null) {
			this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
		}
	}

}
