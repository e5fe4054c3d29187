package io.securestreams.testsupport;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * A TCP relay on 127.0.0.1 that forwards each accepted connection to a target, so a test can
 * cut connections abruptly ({@link #killAll()} resets both sides without any protocol goodbye)
 * or refuse new ones for a while.
 */
public final class TcpRelay implements AutoCloseable {

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

	private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

	private final Set<Channel> towardsTarget = ConcurrentHashMap.newKeySet();

	private final Set<Channel> fromClients = ConcurrentHashMap.newKeySet();

	private final InetSocketAddress target;

	private final Channel server;

	private volatile int accepted;

	private volatile boolean refusing;

	private volatile boolean holdingReplies;

	/**
	 * Starts a relay.
	 * @param targetPort the port on 127.0.0.1 to forward to
	 */
	public TcpRelay(int targetPort) {
		this.target = new InetSocketAddress("127.0.0.1", targetPort);
		this.server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childOption(ChannelOption.AUTO_READ, false)
			.childHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel inbound) {
					accept(inbound);
				}
			})
			.bind("127.0.0.1", 0)
			.syncUninterruptibly()
			.channel();
	}

	private void accept(Channel inbound) {
		if (this.refusing) {
			inbound.config().setOption(ChannelOption.SO_LINGER, 0);
			inbound.close();
			return;
		}
		this.accepted++;
		this.channels.add(inbound);
		this.fromClients.add(inbound);
		inbound.closeFuture().addListener((f) -> {
			this.channels.remove(inbound);
			this.fromClients.remove(inbound);
		});
		new Bootstrap().group(inbound.eventLoop())
			.channel(NioSocketChannel.class)
			.option(ChannelOption.AUTO_READ, false)
			.handler(new Pipe(inbound))
			.connect(this.target)
			.addListener((ChannelFutureListener) (f) -> {
				if (!f.isSuccess()) {
					inbound.close();
					return;
				}
				Channel outbound = f.channel();
				this.channels.add(outbound);
				this.towardsTarget.add(outbound);
				outbound.closeFuture().addListener((closed) -> {
					this.channels.remove(outbound);
					this.towardsTarget.remove(outbound);
				});
				inbound.pipeline().addLast(new Pipe(outbound));
				inbound.read();
				readFromTarget(outbound);
			});
	}

	/**
	 * Returns the port the relay listens on.
	 * @return the port
	 */
	public int port() {
		return ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	/**
	 * Returns how many connections were accepted and relayed.
	 * @return the count
	 */
	public int accepted() {
		return this.accepted;
	}

	/**
	 * Returns how many client connections are being relayed right now.
	 * @return the count
	 */
	public int openConnections() {
		return this.fromClients.size();
	}

	/**
	 * Resets every relayed connection, both towards the client and towards the target.
	 */
	public void killAll() {
		for (Channel channel : this.channels) {
			channel.eventLoop().execute(() -> {
				if (channel.isOpen()) {
					channel.config().setOption(ChannelOption.SO_LINGER, 0);
					channel.close();
				}
			});
		}
	}

	/**
	 * Stops (true) or resumes (false) relaying what the target sends back; what the client sends
	 * still goes through. Replies held when {@link #killAll()} runs are lost.
	 * @param holding whether to hold replies
	 */
	public void holdReplies(boolean holding) {
		this.holdingReplies = holding;
		if (!holding) {
			for (Channel outbound : this.towardsTarget) {
				outbound.eventLoop().execute(() -> readFromTarget(outbound));
			}
		}
	}

	private void readFromTarget(Channel outbound) {
		if (!this.holdingReplies) {
			outbound.read();
		}
	}

	/**
	 * Makes the relay reset new connections at once (true) or relay them again (false).
	 * @param refusing whether to refuse
	 */
	public void refuse(boolean refusing) {
		this.refusing = refusing;
	}

	@Override
	public void close() {
		this.server.close().syncUninterruptibly();
		killAll();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/** Copies what one side reads to the other side. */
	private final class Pipe extends ChannelInboundHandlerAdapter {

		private final Channel other;

		Pipe(Channel other) {
			this.other = other;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (this.other.isActive()) {
				this.other.writeAndFlush(msg).addListener((ChannelFutureListener) (f) -> {
					if (f.isSuccess() && TcpRelay.this.towardsTarget.contains(ctx.channel())) {
						readFromTarget(ctx.channel());
					}
					else if (f.isSuccess()) {
						ctx.channel().read();
					}
					else {
						f.channel().close();
					}
				});
			}
			else {
				ReferenceCountUtil.release(msg);
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			if (this.other.isActive()) {
				// Pass an orderly close on after what was already relayed.
				this.other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}

	}

}
