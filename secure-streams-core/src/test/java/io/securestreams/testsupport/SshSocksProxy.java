package io.securestreams.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.password.AcceptAllPasswordAuthenticator;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A real SOCKS5 proxy on loopback, the way the seed README tests one ({@code ssh -D}): an
 * Apache MINA SSHD server and client with dynamic port forwarding. Counts the connections the
 * SSH server forwards.
 */
public final class SshSocksProxy implements AutoCloseable {

	private final SshServer server;

	private final SshClient client;

	private final ClientSession session;

	private final SshdSocketAddress socks;

	private final AtomicInteger forwarded = new AtomicInteger();

	/**
	 * Starts the proxy.
	 * @param keyDirectory a temporary directory for the host key
	 * @throws IOException if it cannot start
	 */
	public SshSocksProxy(Path keyDirectory) throws IOException {
		this.server = SshServer.setUpDefaultServer();
		this.server.setHost("127.0.0.1");
		this.server.setPort(0);
		this.server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(keyDirectory.resolve("host.ser")));
		this.server.setPasswordAuthenticator(AcceptAllPasswordAuthenticator.INSTANCE);
		this.server.setForwardingFilter(new AcceptAllForwardingFilter() {
			@Override
			protected boolean checkAcceptance(String request, org.apache.sshd.common.session.Session session,
					SshdSocketAddress target) {
				SshSocksProxy.this.forwarded.incrementAndGet();
				return true;
			}
		});
		this.server.start();
		this.client = SshClient.setUpDefaultClient();
		this.client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
		this.client.start();
		this.session = this.client.connect("tester", "127.0.0.1", this.server.getPort()).verify(10_000).getSession();
		this.session.addPasswordIdentity("secret");
		this.session.auth().verify(10_000);
		this.socks = this.session.startDynamicPortForwarding(new SshdSocketAddress("127.0.0.1", 0));
	}

	/**
	 * Returns the SOCKS5 address as {@code host:port}.
	 * @return the proxy address
	 */
	public String address() {
		return "127.0.0.1:" + this.socks.getPort();
	}

	/**
	 * Returns how many connections the proxy forwarded.
	 * @return the count
	 */
	public int forwardedConnections() {
		return this.forwarded.get();
	}

	@Override
	public void close() throws IOException {
		this.session.close(true);
		this.client.stop();
		this.server.stop(true);
	}

}
