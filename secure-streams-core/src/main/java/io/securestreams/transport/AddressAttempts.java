package io.securestreams.transport;

import java.net.SocketAddress;
import java.util.List;
import java.util.function.Function;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to the addresses of one name in turn, as libwebsockets works down its sorted DNS
 * results: when the socket connect to one address fails (refused, unreachable, timed out) the next
 * is tried; a failure after the socket connected (the SOCKS5 negotiation, the TLS handshake) ends
 * the attempt, since another address of the same server would fail the same way. The result fails
 * with the last address's cause. Cancelling the result cancels the connect in progress. Runs on
 * the connection's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class AddressAttempts {

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
