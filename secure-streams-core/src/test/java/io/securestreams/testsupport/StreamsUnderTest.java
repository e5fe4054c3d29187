package io.securestreams.testsupport;

import java.nio.file.Path;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.netty.channel.epoll.Epoll;
import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.SecureStreamsProxy;
import org.jspecify.annotations.Nullable;

/**
 * The application's context for a scenario test, either direct or proxied: in proxied mode the
 * policy goes to a context behind our Java proxy, the application gets a context in proxied mode,
 * and every frame passes through an {@link SspcRelay} that checks what travelled.
 */
public final class StreamsUnderTest implements AutoCloseable {

	/** How the application's streams are fulfilled. */
	public enum Mode {

		/** In process, by the application's own context. */
		DIRECT,
		/** Through our Java proxy. */
		PROXIED

	}

	private final Mode mode;

	private final SecureStreams streams;

	private final @Nullable SecureStreams fulfilling;

	private final @Nullable SecureStreamsProxy proxy;

	private final @Nullable SspcRelay relay;

	private StreamsUnderTest(Mode mode, SecureStreams streams, @Nullable SecureStreams fulfilling,
			@Nullable SecureStreamsProxy proxy, @Nullable SspcRelay relay) {
		this.mode = mode;
		this.streams = streams;
		this.fulfilling = fulfilling;
		this.proxy = proxy;
		this.relay = relay;
	}

	/**
	 * Starts the contexts.
	 * @param mode direct or proxied
	 * @param policy the policy
	 * @param guard registered on every context
	 * @param config configures the context that fulfils the streams (blobs, threads)
	 * @return the running scenario
	 */
	public static StreamsUnderTest start(Mode mode, Policy policy, TransitionGuard guard,
			UnaryOperator<SecureStreams.Builder> config) {
		SecureStreams.Builder builder = config.apply(SecureStreams.builder(policy).eventLoopThreads(1).listener(guard));
		if (mode == Mode.DIRECT) {
			return new StreamsUnderTest(mode, builder.build(), null, null, null);
		}
		SecureStreams fulfilling = builder.build();
		SecureStreamsProxy proxy = SecureStreamsProxy.builder(fulfilling).listen(uniqueAddress("proxy")).start();
		SspcRelay relay = new SspcRelay(uniqueAddress("relay"), proxy.address());
		SecureStreams app = SecureStreams.proxiedBuilder(relay.address().toString()).eventLoopThreads(1)
			.listener(guard)
			.build();
		return new StreamsUnderTest(mode, app, fulfilling, proxy, relay);
	}

	/**
	 * Starts the contexts with the default configuration.
	 * @param mode direct or proxied
	 * @param policy the policy
	 * @param guard registered on every context
	 * @return the running scenario
	 */
	public static StreamsUnderTest start(Mode mode, Policy policy, TransitionGuard guard) {
		return start(mode, policy, guard, UnaryOperator.identity());
	}

	/**
	 * Returns a proxy address nobody else uses: an abstract socket with epoll, else a file.
	 * @param what a hint for the name
	 * @return the address
	 */
	public static ProxyAddress uniqueAddress(String what) {
		String name = "ss-test-" + what + "-" + UUID.randomUUID();
		return Epoll.isAvailable() ? new ProxyAddress(ProxyAddress.Kind.ABSTRACT, name, 0)
				: new ProxyAddress(ProxyAddress.Kind.PATH, Path.of(System.getProperty("java.io.tmpdir"), name)
					.toString(), 0);
	}

	public Mode mode() {
		return this.mode;
	}

	/** Returns the application's context. */
	public SecureStreams streams() {
		return this.streams;
	}

	/**
	 * Returns the context that holds the policy and fulfils the streams: the application's own in
	 * direct mode, the one behind the proxy in proxied mode (overlays are applied there).
	 * @return the context
	 */
	public SecureStreams policyContext() {
		return (this.fulfilling != null) ? this.fulfilling : this.streams;
	}

	/** Returns the relay in proxied mode. */
	public @Nullable SspcRelay relay() {
		return this.relay;
	}

	/** Returns the proxy in proxied mode. */
	public @Nullable SecureStreamsProxy proxy() {
		return this.proxy;
	}

	/**
	 * Closes everything, then checks the frames that travelled in proxied mode.
	 */
	@Override
	public void close() {
		this.streams.close();
		if (this.relay != null) {
			this.relay.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
		if (this.fulfilling != null) {
			this.fulfilling.close();
		}
		if (this.relay != null) {
			this.relay.assertLegalFrames();
		}
	}

}
