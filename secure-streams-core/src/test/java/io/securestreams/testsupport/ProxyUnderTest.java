package io.securestreams.testsupport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.SecureStreamsProxy;

/**
 * A proxy test's three parts on one Unix socket: the context holding the policy, our proxy on it,
 * and a proxied client context, with every state of both contexts checked by one guard. Closing
 * stops them in reverse order and fails on an illegal transition.
 */
public final class ProxyUnderTest implements AutoCloseable {

	private final TransitionGuard guard = new TransitionGuard();

	private final SecureStreams context;

	private final SecureStreamsProxy proxy;

	private final SecureStreams client;

	private final Path socket;

	/**
	 * Starts the context, the proxy and the client.
	 * @param policy the proxy's policy
	 * @param directory where the socket file goes
	 */
	public ProxyUnderTest(Policy policy, Path directory) {
		this.context = SecureStreams.builder(policy).eventLoopThreads(2).listener(this.guard).build();
		this.socket = directory.resolve("proxy.sock");
		this.proxy = SecureStreamsProxy.builder(this.context).listen(ProxyAddress.parse("+" + this.socket)).start();
		this.client = SecureStreams.proxiedBuilder("+" + this.socket).eventLoopThreads(1).listener(this.guard).build();
	}

	/** @return the context that holds the policy and fulfils the streams */
	public SecureStreams context() {
		return this.context;
	}

	/** @return the proxy */
	public SecureStreamsProxy proxy() {
		return this.proxy;
	}

	/** @return the proxied client context */
	public SecureStreams client() {
		return this.client;
	}

	/**
	 * Opens a raw link to the proxy, for a test that writes the wire frame by frame.
	 * @return the connected channel, blocking
	 * @throws IOException if the proxy cannot be reached
	 */
	public SocketChannel connectRaw() throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		channel.connect(UnixDomainSocketAddress.of(this.socket));
		return channel;
	}

	@Override
	public void close() {
		this.client.close();
		this.proxy.close();
		this.context.close();
		this.guard.assertNoViolations();
	}

}
