package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * Owns the event loops and knows which channel classes go with them. Uses the native epoll
 * transport on Linux when it is available (needed for abstract Unix sockets), NIO otherwise.
 * Name lookups run on threads of their own (up to 16 at once) so that a slow DNS server never
 * blocks an event loop, nor the lookups of other names; IP literals and recently answered names are resolved in place
 * ({@link CachingNameResolver}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class TransportResources implements AutoCloseable {

	/** Which transport to use. */
	public enum Kind {

		/** Native epoll when available, otherwise NIO. */
		AUTO,
		/** Java NIO. */
		NIO,
		/** Native epoll (Linux); fails when unavailable. */
		EPOLL

	}

	private final EventLoopGroup group;

	private final boolean epoll;

	/** Name lookups running at once at most; more wait for one of them to end. */
	static final int LOOKUP_THREADS = 16;

	private final ThreadPoolExecutor resolverExecutors;

	private final AddressResolverGroup<InetSocketAddress> resolverGroup;

	private final OpenChannels channels = new OpenChannels();

	private TransportResources(int threads, boolean epoll, HostNameLookup hostNames) {
		this.epoll = epoll;
		IoHandlerFactory ioHandler = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
		this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("ss-loop", true), ioHandler);
		this.resolverExecutors = lookupExecutor();
		this.resolverGroup = new CachingResolverGroup(this.resolverExecutors, hostNames, System::nanoTime);
	}

	// A lookup may block for as long as a DNS server takes not to answer, or an application's
	// lookup hangs. Each runs on a thread of its own, up to LOOKUP_THREADS at once, which end
	// when idle: with a few threads each queueing lookups, the lookups of one name that hung held
	// up those of every other name queued behind them until each connect's lookup timed out.
	private static ThreadPoolExecutor lookupExecutor() {
		ThreadPoolExecutor executor = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), new DefaultThreadFactory("ss-dns", true));
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/**
	 * Creates the resources.
	 * @param threads event loop threads, 0 for Netty's default (twice the cores)
	 * @param kind the transport to use
	 * @return the resources
	 * @throws IllegalStateException if EPOLL is asked for and not available
	 */
	public static TransportResources create(int threads, Kind kind) {
		return create(threads, kind, HostNameLookup.JDK);
	}

	/**
	 * Creates the resources with a host name lookup of the application's.
	 * @param threads event loop threads, 0 for Netty's default (twice the cores)
	 * @param kind the transport to use
	 * @param hostNames looks host names up, off the event loops
	 * @return the resources
	 * @throws IllegalStateException if EPOLL is asked for and not available
	 */
	public static TransportResources create(int threads, Kind kind, HostNameLookup hostNames) {
		if (kind == Kind.EPOLL && !Epoll.isAvailable()) {
			throw new IllegalStateException("native epoll transport is not available", Epoll.unavailabilityCause());
		}
		boolean epoll = kind == Kind.EPOLL || (kind == Kind.AUTO && Epoll.isAvailable());
		return new TransportResources(threads, epoll, hostNames);
	}

	/**
	 * Returns the event loop group.
	 * @return the group
	 */
	public EventLoopGroup group() {
		return this.group;
	}

	/**
	 * Returns the next event loop, round robin.
	 * @return an event loop
	 */
	public EventLoop nextLoop() {
		return this.group.next();
	}

	/**
	 * Returns the loop for an affinity key: equal keys always get the same loop.
	 * @param key the key
	 * @return an event loop
	 */
	public EventLoop loopFor(Object key) {
		java.util.List<EventLoop> all = new java.util.ArrayList<>();
		this.group.forEach((executor) -> all.add((EventLoop) executor));
		return all.get(Math.floorMod(key.hashCode(), all.size()));
	}

	/**
	 * Returns whether the calling thread is one of the event loops.
	 * @return {@code true} on an event loop thread
	 */
	public boolean inEventLoop() {
		for (EventExecutor executor : this.group) {
			if (executor.inEventLoop()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns whether the native epoll transport is in use.
	 * @return {@code true} for epoll
	 */
	public boolean isNative() {
		return this.epoll;
	}

	/**
	 * Returns the client channel class for an address.
	 * @param address an {@link InetSocketAddress} or a Unix socket address from {@link #unixAddress}
	 * @return the channel class
	 */
	public Class<? extends Channel> clientChannel(SocketAddress address) {
		boolean unix = !(address instanceof InetSocketAddress);
		if (this.epoll) {
			return unix ? EpollDomainSocketChannel.class : EpollSocketChannel.class;
		}
		return unix ? NioDomainSocketChannel.class : NioSocketChannel.class;
	}

	/**
	 * Returns the server channel class for an address.
	 * @param address an {@link InetSocketAddress} or a Unix socket address from {@link #unixAddress}
	 * @return the channel class
	 */
	public Class<? extends ServerChannel> serverChannel(SocketAddress address) {
		boolean unix = !(address instanceof InetSocketAddress);
		if (this.epoll) {
			return unix ? EpollServerDomainSocketChannel.class : EpollServerSocketChannel.class;
		}
		return unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class;
	}

	/**
	 * Makes a Unix domain socket address of the kind this transport uses.
	 * @param path a filesystem path, or an abstract name when {@code abstractName} is set
	 * @param abstractName whether the name is in Linux's abstract namespace (no file)
	 * @return the address
	 * @throws IllegalArgumentException for an empty path or name (an endpoint of just {@code +} or
	 * {@code +@})
	 * @throws IllegalStateException for an abstract name without the native transport
	 */
	public SocketAddress unixAddress(String path, boolean abstractName) {
		if (path.isEmpty()) {
			// The socket call would fail with a bare "Invalid argument" or "Connection refused", and
			// a listener would look at the working directory, none of which points at the endpoint.
			throw new IllegalArgumentException("endpoint \"" + (abstractName ? "+@" : "+")
					+ "\" names no Unix socket: the " + (abstractName ? "abstract name" : "path") + " is empty");
		}
		if (abstractName) {
			if (!this.epoll) {
				throw new IllegalStateException("abstract Unix socket '@" + path
						+ "' needs the native epoll transport, which is not available here");
			}
			return new DomainSocketAddress("\0" + path);
		}
		return this.epoll ? new DomainSocketAddress(path) : UnixDomainSocketAddress.of(path);
	}

	/**
	 * Returns the resolver group used for client connections.
	 * @return the resolver group
	 */
	public AddressResolverGroup<InetSocketAddress> resolverGroup() {
		return this.resolverGroup;
	}

	/**
	 * Lists a channel opened on these loops until it closes, so that {@link #closeChannels} ends
	 * it before the loops stop. Every channel a context opens (connections, listeners, accepted
	 * connections, proxy links) is listed.
	 * @param channel the channel
	 */
	public void track(Channel channel) {
		this.channels.track(channel);
	}

	/**
	 * Closes every listed channel still open, each through its handlers (TLS close_notify, h2
	 * GOAWAY) or, after the timeout, at once; then waits until the loops have handled the ends,
	 * so that every handler has released what it held before the loops stop (stopping loops drop
	 * their scheduled tasks, and a close that completes in one would never happen).
	 * @param timeout the most to wait for the closes through the handlers
	 * @throws IllegalStateException when called from one of the loops, which it waits for
	 */
	public void closeChannels(Duration timeout) {
		if (inEventLoop()) {
			throw new IllegalStateException(
					"channels are closed from outside the event loops, which the close waits for");
		}
		this.channels.closeAll(this.group, timeout);
	}

	/**
	 * Shuts the event loops down.
	 * @param quietPeriod time without new tasks before shutting down
	 * @param timeout the most to wait
	 * @return a future that completes when every loop has stopped
	 */
	public Future<Void> shutdownGracefully(Duration quietPeriod, Duration timeout) {
		this.resolverGroup.close();
		// Not waited for: a lookup in progress (a DNS server that does not answer, an application's
		// lookup that hangs) holds its thread until it returns, and no stream needs its answer any
		// more; the lookup threads are daemons and end once it does.
		this.resolverExecutors.shutdown();
		return whenAllDone(
				this.group.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS));
	}

	// Not Netty's PromiseCombiner: it must only be used from one executor's thread, and the loops'
	// termination futures complete on other threads while the caller is still combining them (a
	// completion was lost that way once, and close() waited for ever for loops that had stopped).
	static Future<Void> whenAllDone(Future<?>... futures) {
		Promise<Void> all = ImmediateEventExecutor.INSTANCE.newPromise();
		AtomicInteger pending = new AtomicInteger(futures.length);
		for (Future<?> future : futures) {
			future.addListener((done) -> {
				if (!done.isSuccess()) {
					all.tryFailure(done.cause());
				}
				else if (pending.decrementAndGet() == 0) {
					all.trySuccess(null);
				}
			});
		}
		return all;
	}

	@Override
	public void close() {
		if (!inEventLoop()) {
			closeChannels(Duration.ofSeconds(1));
		}
		// The loops stop within their 5 s timeout; the extra second bounds the wait whatever happens.
		shutdownGracefully(Duration.ZERO, Duration.ofSeconds(5)).awaitUninterruptibly(6, TimeUnit.SECONDS);
	}

}
