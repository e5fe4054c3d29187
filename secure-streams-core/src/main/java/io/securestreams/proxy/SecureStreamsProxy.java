package io.securestreams.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.Policy;
import io.securestreams.proxy.wire.SsFrameDecoder;
import io.securestreams.proxy.wire.SsFrameEncoder;
import io.securestreams.transport.TransportResources;
import io.securestreams.transport.UnixSocketFiles;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Secure Streams proxy, wire-compatible with libwebsockets' {@code lws_ss_proxy_create}: it
 * listens on a Unix or TCP socket, and fulfils each connecting proxied client's stream with an
 * onward stream of its own policy. One connection ("link") carries one stream.
 * <pre>{@code
 * try (SecureStreamsProxy proxy = SecureStreamsProxy.builder(policy).start()) {
 *     // clients connect to +@proxy.ss.lws
 * }
 * }</pre>
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamsProxy implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(SecureStreamsProxy.class);

	/**
	 * How much a link hands to its socket before it stops writing and keeps frames in its outbox.
	 * One onward read (up to 64 KiB) must fit, so its frames leave in one write system call: with
	 * an 8 KiB mark a bulk download went out six frames per write, which cost more than all the
	 * framing. Frames in the outbox can still be overtaken by metadata; those handed over cannot,
	 * as in libwebsockets, whose frames are in the kernel's socket buffer by then.
	 */
	static final WriteBufferWaterMark LINK_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 96 * 1024);

	private final SecureStreams context;

	private final boolean ownsContext;

	private final ProxyAddress address;

	private final Duration streamTypeTimeout;

	private final Map<Long, ProxyLink> links = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private final RepeatedWarnings creationWarnings = new RepeatedWarnings();

	private final Channel server;

	private volatile boolean closed;

	private SecureStreamsProxy(Builder builder) {
		if (builder.context != null && builder.context.isClosed()) {
			// Its stopped loops would refuse the listening channel with a bare "event executor terminated".
			throw new SecureStreamsException("the Secure Streams proxy cannot start on " + builder.address
					+ ": the context it was given is shut down");
		}
		this.ownsContext = builder.context == null || builder.ownContext;
		this.context = (builder.context != null) ? builder.context : SecureStreams.builder(builder.policy).build();
		this.streamTypeTimeout = builder.streamTypeTimeout;
		TransportResources transport = ContextAccess.runtime(this.context).transport();
		try {
			SocketAddress bindTo = builder.address.toSocketAddress(transport);
			if (bindTo instanceof InetSocketAddress inet && inet.isUnresolved()) {
				bindTo = new InetSocketAddress(inet.getHostString(), inet.getPort());
				// Binding it unresolved would fail with an exception that has no message.
				if (((InetSocketAddress) bindTo).isUnresolved()) {
					throw new UnknownHostException("unknown host '" + inet.getHostString() + "'");
				}
			}
			if (builder.address.kind() == ProxyAddress.Kind.PATH) {
				UnixSocketFiles.removeStale(Path.of(builder.address.name()));
			}
			this.server = new ServerBootstrap().group(transport.group())
				.channel(transport.serverChannel(bindTo))
				.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, LINK_WATER_MARK)
				.childHandler(new ChannelInitializer<Channel>() {
					@Override
					protected void initChannel(Channel ch) {
						transport.track(ch);
						ch.pipeline()
							.addLast("ss-decoder", new SsFrameDecoder(true))
							.addLast("ss-encoder", SsFrameEncoder.INSTANCE)
							.addLast("ss-link", new ProxyLink(SecureStreamsProxy.this, SecureStreamsProxy.this.ids
								.incrementAndGet()));
					}
				})
				.bind(bindTo)
				.syncUninterruptibly()
				.channel();
		}
		// Exception, not RuntimeException: Netty rethrows a failed bind's checked cause (a TCP port
		// in use is a java.net.BindException) without declaring it.
		catch (Exception ex) {
			if (this.ownsContext) {
				this.context.close();
			}
			throw new SecureStreamsException("the Secure Streams proxy cannot listen on " + builder.address + ": "
					+ ex.getMessage(), ex);
		}
		transport.track(this.server);
		SocketAddress bound = this.server.localAddress();
		this.address = (bound instanceof InetSocketAddress inet)
				? new ProxyAddress(ProxyAddress.Kind.TCP, builder.address.name(), inet.getPort()) : builder.address;
		logger.info("Secure Streams proxy listening on {} with {} streamtypes", this.address,
				this.context.policy().streamTypes().size());
	}

	/**
	 * Starts building a proxy that fulfils streams with its own context for a policy.
	 * @param policy the policy
	 * @return a builder
	 */
	public static Builder builder(Policy policy) {
		return new Builder(Objects.requireNonNull(policy, "policy"), null);
	}

	/**
	 * Starts building a proxy that fulfils streams with an existing context (its policy, blobs,
	 * event loops and listeners), which the proxy does not close.
	 * @param context the context
	 * @return a builder
	 */
	public static Builder builder(SecureStreams context) {
		if (context.isProxied()) {
			throw new IllegalArgumentException("a proxy cannot fulfil streams with a proxied context");
		}
		return new Builder(context.policy(), context);
	}

	/**
	 * Returns the address the proxy listens on, with the actual port for TCP.
	 * @return the address, as clients write it
	 */
	public ProxyAddress address() {
		return this.address;
	}

	/**
	 * Returns the context that fulfils the proxied streams.
	 * @return the context
	 */
	public SecureStreams context() {
		return this.context;
	}

	/** Which refused creations are worth a warning: clients ask again every second. */
	RepeatedWarnings creationWarnings() {
		return this.creationWarnings;
	}

	/**
	 * Returns a snapshot of every open link.
	 * @return the links, including their buffered-bytes gauges
	 */
	public List<ProxyLinkInfo> links() {
		return this.links.values().stream().map(ProxyLink::info).toList();
	}

	Duration streamTypeTimeout() {
		return this.streamTypeTimeout;
	}

	void register(long id, ProxyLink link) {
		this.links.put(id, link);
	}

	boolean isClosed() {
		return this.closed;
	}

	void unregister(long id) {
		this.links.remove(id);
	}

	/**
	 * Stops listening, closes every link (destroying the onward streams) and, when the proxy made
	 * its own context, closes it.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		// Awaited, not synced: when the context was closed first, its stopped loops closed the
		// channel already and refuse the close task, which is no failure of the proxy's.
		this.server.close().awaitUninterruptibly();
		// Closing the listening channel leaves the accepted links open; with a context the proxy
		// does not own they would go on (an _lws_smd link stays on the context's bus).
		List<CompletableFuture<Void>> closing = new ArrayList<>();
		for (ProxyLink link : this.links.values()) {
			CompletableFuture<Void> gone = link.close();
			if (gone != null) {
				closing.add(gone);
			}
		}
		// Waits for each link's teardown (it unregisters and destroys its onward stream after its
		// channel's close completed), unless called on an event loop, which that teardown may need.
		if (!ContextAccess.runtime(this.context).transport().inEventLoop()) {
			try {
				CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException ex) {
				logger.warn("Secure Streams proxy on {}: links still closing: {}", this.address, ex.toString());
			}
		}
		removeStaleSocketFile(this.address);
		if (this.ownsContext) {
			this.context.close();
		}
		logger.info("Secure Streams proxy on {} stopped", this.address);
	}

	private static void removeStaleSocketFile(ProxyAddress address) {
		if (address.kind() != ProxyAddress.Kind.PATH) {
			return;
		}
		Path path = Path.of(address.name());
		try {
			if (Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
				Files.delete(path);
			}
		}
		catch (IOException ex) {
			logger.warn("cannot remove the old socket file {}: {}", path, ex.getMessage());
		}
	}

	/**
	 * Configures and starts a {@link SecureStreamsProxy}.
	 */
	public static final class Builder {

		private final Policy policy;

		private final @Nullable SecureStreams context;

		private ProxyAddress address = ProxyAddress.DEFAULT;

		private Duration streamTypeTimeout = Duration.ofSeconds(3);

		private boolean ownContext;

		private Builder(Policy policy, @Nullable SecureStreams context) {
			this.policy = policy;
			this.context = context;
		}

		/**
		 * Sets where to listen; the default is libwebsockets' {@code +@proxy.ss.lws}.
		 * @param address the address; port 0 picks a free TCP port
		 * @return this builder
		 */
		public Builder listen(ProxyAddress address) {
			this.address = Objects.requireNonNull(address, "address");
			return this;
		}

		/**
		 * Sets how long a new link may take to send STREAMTYPE before it is closed (3 s, as in C).
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder streamTypeTimeout(Duration timeout) {
			this.streamTypeTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * Makes the proxy close the context given to {@link SecureStreamsProxy#builder(SecureStreams)}
		 * when it closes.
		 * @return this builder
		 */
		public Builder ownContext() {
			this.ownContext = true;
			return this;
		}

		/**
		 * Binds the socket and starts accepting proxied clients.
		 * @return the running proxy
		 * @throws SecureStreamsException when the socket cannot be bound, or the context given to
		 * {@link SecureStreamsProxy#builder(SecureStreams)} is shut down
		 */
		public SecureStreamsProxy start() {
			return new SecureStreamsProxy(this);
		}

	}

}
