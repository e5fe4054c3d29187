package io.securestreams.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What one test opened, and the check after it: contexts, proxies, servers and clients registered
 * here are closed after the test, the last opened first (so a context closes before the server it
 * talks to), and then the {@link TransitionGuard} that every context started here listens with
 * must have seen no illegal state transition.
 * <p>
 * Register it on an instance field with {@code @RegisterExtension}, so that every test, and every
 * variant of a {@code @ParameterizedClass}, gets its own; JUnit runs it after the class's own
 * {@code @AfterEach} methods.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class TestResources implements AfterEachCallback {

	private final TransitionGuard guard = new TransitionGuard();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	/**
	 * Returns the guard, for contexts that are not started here.
	 * @return the guard checked after the test
	 */
	public TransitionGuard guard() {
		return this.guard;
	}

	/**
	 * Returns a loopback port that refuses connections until the test ends: a socket is bound to
	 * it without listening. A port found free and closed again could be taken by another process
	 * meanwhile, or, being in the ephemeral range, be the very port a connection to it is made
	 * from, which TCP then connects to itself.
	 * @return the port on 127.0.0.1
	 */
	public int refusedPort() {
		Socket socket = new Socket();
		try {
			socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return closing(socket).getLocalPort();
	}

	/**
	 * Closes a resource after the test, before everything registered earlier.
	 * @param <T> the type of the resource
	 * @param closeable the resource
	 * @return the resource
	 */
	public <T extends AutoCloseable> T closing(T closeable) {
		this.closeables.add(closeable);
		return closeable;
	}

	/**
	 * Builds a context that reports to the guard, closed after the test.
	 * @param builder the configured builder
	 * @return the running context
	 */
	public SecureStreams start(SecureStreams.Builder builder) {
		return closing(builder.listener(this.guard).build());
	}

	/**
	 * Starts the application's contexts for a scenario, direct or proxied, that report to the guard,
	 * closed after the test.
	 * @param mode direct or proxied
	 * @param policy the policy
	 * @param config configures the context that fulfils the streams
	 * @return the running scenario
	 */
	public StreamsUnderTest start(Mode mode, Policy policy, UnaryOperator<SecureStreams.Builder> config) {
		return closing(StreamsUnderTest.start(mode, policy, this.guard, config));
	}

	/**
	 * Starts the application's contexts for a scenario with the default configuration.
	 * @param mode direct or proxied
	 * @param policy the policy
	 * @return the running scenario
	 */
	public StreamsUnderTest start(Mode mode, Policy policy) {
		return start(mode, policy, UnaryOperator.identity());
	}

	/**
	 * Starts a MockWebServer on 127.0.0.1 at a free port, closed after the test. It throws no
	 * checked exception, so that a field initializer can start it.
	 * @return the running server
	 */
	public MockWebServer mockWebServer() {
		MockWebServer server = closing(new MockWebServer());
		try {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return server;
	}

	/**
	 * Closes everything, the last registered first, then checks the guard. A failure to close does
	 * not keep the rest open; the first one is thrown, with the later ones suppressed.
	 */
	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		Exception failure = null;
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			try {
				this.closeables.get(i).close();
			}
			catch (Exception ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.closeables.clear();
		if (failure != null) {
			throw failure;
		}
		this.guard.assertNoViolations();
	}

}
