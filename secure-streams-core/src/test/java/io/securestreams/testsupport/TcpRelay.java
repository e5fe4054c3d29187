package io.securestreams.testsupport;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
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
import io.netty.channel.EventLoop;
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

	/** The pipes that read from the target, kept while they may hold replies. */
	private final Set<Pipe> replyPipes = ConcurrentHashMap.newKeySet();

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
			.handler(new Pipe(inbound, true))
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
				inbound.pipeline().addLast(new Pipe(outbound, false));
				inbound.read();
				outbound.read();
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
		for (Pipe pipe : this.replyPipes) {
			pipe.loop.execute(pipe::dropHeld);
		}
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
	 * still goes through. Holding takes effect for every byte the relay reads from the target
	 * after this call (the relay keeps reading and queues those bytes, so a read already pending
	 * cannot slip a reply through); resuming passes the queued bytes on in order. Replies held
	 * when {@link #killAll()} runs are lost.
	 * @param holding whether to hold replies
	 */
	public void holdReplies(boolean holding) {
		this.holdingReplies = holding;
		if (!holding) {
			for (Pipe pipe : this.replyPipes) {
				pipe.loop.execute(pipe::releaseHeld);
			}
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
		// Drops every held reply too, so none outlives the relay.
		killAll();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/** Copies what one side reads to the other side. */
	private final class Pipe extends ChannelInboundHandlerAdapter {

		private final Channel other;

		private final boolean fromTarget;

		/** Replies read from the target while they are held; only touched on the event loop. */
		private final Queue<Object> held = new ArrayDeque<>();

		/** Whether the target closed while its replies were held. */
		private boolean heldClose;

		private EventLoop loop;

		private boolean open = true;

		Pipe(Channel other, boolean fromTarget) {
			this.other = other;
			this.fromTarget = fromTarget;
		}

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			this.loop = ctx.channel().eventLoop();
			if (this.fromTarget) {
				TcpRelay.this.replyPipes.add(this);
			}
		}

		@Override
		public void handlerRemoved(ChannelHandlerContext ctx) {
			// A connection to the target that failed never became active; nothing is held for it.
			if (this.held.isEmpty() && !this.heldClose) {
				TcpRelay.this.replyPipes.remove(this);
			}
		}

		private boolean holding() {
			return this.fromTarget && (TcpRelay.this.holdingReplies || !this.held.isEmpty());
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (holding()) {
				this.held.add(msg);
				ctx.read();
				return;
			}
			relay(ctx.channel(), msg);
		}

		private void relay(Channel from, Object msg) {
			if (this.other.isActive()) {
				this.other.writeAndFlush(msg).addListener((ChannelFutureListener) (f) -> {
					if (f.isSuccess()) {
						from.read();
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

		void releaseHeld() {
			Object msg;
			while ((msg = this.held.poll()) != null) {
				if (this.other.isActive()) {
					this.other.write(msg);
				}
				else {
					ReferenceCountUtil.release(msg);
				}
			}
			this.other.flush();
			if (this.heldClose) {
				passCloseOn();
			}
			forgetOnceClosed();
		}

		void dropHeld() {
			Object msg;
			while ((msg = this.held.poll()) != null) {
				ReferenceCountUtil.release(msg);
			}
			forgetOnceClosed();
		}

		private void forgetOnceClosed() {
			if (!this.open) {
				TcpRelay.this.replyPipes.remove(this);
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			this.open = false;
			if (holding()) {
				this.heldClose = true;
				return;
			}
			passCloseOn();
			forgetOnceClosed();
		}

		private void passCloseOn() {
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
