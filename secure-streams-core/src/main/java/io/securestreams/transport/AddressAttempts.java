package io.securestreams.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to the addresses of one name in turn, as libwebsockets works down its sorted DNS
 * results: when the socket connect to one address fails (refused, unreachable, timed out) the next
 * is tried; a failure after the socket connected (the SOCKS5 negotiation, the TLS handshake) ends
 * the attempt, since another address of the same server would fail the same way. The result fails
 * with the last address's cause. Cancelling the result cancels the connect in progress. Runs on
 * the connection's event loop. {@link Connector} uses it for streams; {@link #connect} serves a
 * plain socket connect such as a proxied client's link to its proxy.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class AddressAttempts {

	/**
	 * One connect in progress.
	 * @param ready completes when the connection is ready for the protocol, or fails
	 * @param socket the socket connect, which has failed when {@code ready} failed at the socket
	 */
	record Attempt(Future<Channel> ready, ChannelFuture socket) {
	}

	private static final Logger logger = LoggerFactory.getLogger(AddressAttempts.class);

	private final Promise<Channel> result;

	private final List<? extends SocketAddress> addresses;

	private final Function<SocketAddress, Attempt> opener;

	private int next;

	private @Nullable Attempt current;

	private AddressAttempts(Promise<Channel> result, List<? extends SocketAddress> addresses,
			Function<SocketAddress, Attempt> opener) {
		this.result = result;
		this.addresses = addresses;
		this.opener = opener;
	}

	/**
	 * Starts connecting to the first address.
	 * @param result completed with the first connection that gets ready
	 * @param addresses at least one address, in the order to try them
	 * @param opener opens a connection to one address
	 */
	static void start(Promise<Channel> result, List<? extends SocketAddress> addresses,
			Function<SocketAddress, Attempt> opener) {
		AddressAttempts attempts = new AddressAttempts(result, addresses, opener);
		result.addListener((f) -> {
			Attempt current = attempts.current;
			if (!f.isSuccess() && current != null) {
				current.ready().cancel(false);
			}
		});
		attempts.tryNext();
	}

	/**
	 * Connects a bootstrap to an address, trying each address of a host name in turn.
	 * @param bootstrap configured with its event loop, channel and handler; its resolver is not used
	 * @param address an unresolved address (looked up by {@code resolvers}), a resolved one or a
	 * Unix socket address
	 * @param resolvers the context's resolvers
	 * @return the connected channel, or the failure of the lookup or of the last address
	 */
	public static Future<Channel> connect(Bootstrap bootstrap, SocketAddress address,
			AddressResolverGroup<InetSocketAddress> resolvers) {
		EventLoop loop = bootstrap.config().group().next();
		Promise<Channel> result = loop.newPromise();
		Function<SocketAddress, Attempt> opener = (next) -> {
			ChannelFuture socket = bootstrap.clone().resolver(NoopAddressResolverGroup.INSTANCE).connect(next);
			Promise<Channel> ready = loop.newPromise();
			socket.addListener((ChannelFuture f) -> {
				if (f.isSuccess()) {
					ready.trySuccess(f.channel());
				}
				else {
					ready.tryFailure(f.cause());
				}
			});
			ready.addListener((f) -> {
				if (!f.isSuccess()) {
					socket.channel().close();
				}
			});
			return new Attempt(ready, socket);
		};
		if (!(address instanceof InetSocketAddress inet) || !inet.isUnresolved()) {
			start(result, List.of(address), opener);
			return result;
		}
		Object timeout = bootstrap.config().options().get(ChannelOption.CONNECT_TIMEOUT_MILLIS);
		resolveAll(loop, resolvers, inet, (timeout instanceof Integer millis) ? millis : 30_000)
			.addListener((Future<List<InetSocketAddress>> f) -> {
				if (result.isDone()) {
					return;
				}
				if (f.isSuccess()) {
					start(result, f.getNow(), opener);
				}
				else {
					result.tryFailure(f.cause());
				}
			});
		return result;
	}

	/**
	 * Looks up every address of a name, failing when no answer came within the timeout: a lookup
	 * that blocks (a name service that does not answer, an application's lookup that hangs) must
	 * not hold the connection attempt for ever.
	 * @param loop the connection's event loop, which completes the result
	 * @param resolvers the context's resolvers
	 * @param unresolved the name and port
	 * @param timeoutMillis the longest wait
	 * @return the addresses
	 */
	static Future<List<InetSocketAddress>> resolveAll(EventLoop loop, AddressResolverGroup<InetSocketAddress> resolvers,
			InetSocketAddress unresolved, long timeoutMillis) {
		Promise<List<InetSocketAddress>> answer = loop.newPromise();
		ScheduledFuture<?> timer = loop.schedule(() -> {
			answer.tryFailure(new UnknownHostException(unresolved.getHostString() + ": no answer from the host name "
					+ "lookup within " + timeoutMillis + " ms"));
		}, timeoutMillis, TimeUnit.MILLISECONDS);
		resolvers.getResolver(loop).resolveAll(unresolved).addListener((Future<List<InetSocketAddress>> f) -> {
			timer.cancel(false);
			if (f.isSuccess()) {
				answer.trySuccess(f.getNow());
			}
			else {
				answer.tryFailure(f.cause());
			}
		});
		answer.addListener((f) -> timer.cancel(false));
		return answer;
	}

	private void tryNext() {
		SocketAddress address = this.addresses.get(this.next++);
		Attempt attempt = this.opener.apply(address);
		this.current = attempt;
		attempt.ready().addListener((Future<Channel> f) -> {
			if (f.isSuccess()) {
				if (!this.result.trySuccess(f.getNow())) {
					f.getNow().close();
				}
				return;
			}
			if (this.result.isDone()) {
				return;
			}
			if (!attempt.socket().isSuccess() && this.next < this.addresses.size()) {
				logger.debug("Connect to {} failed ({}); trying {}", address, f.cause(), this.addresses.get(this.next));
				tryNext();
				return;
			}
			this.result.tryFailure(f.cause());
		});
	}

}
