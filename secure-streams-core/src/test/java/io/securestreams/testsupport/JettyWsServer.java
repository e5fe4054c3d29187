package io.securestreams.testsupport;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A Jetty 12 ws server on 127.0.0.1 for client tests. {@code /echo} echoes every fragment back
 * as it arrives (so fragmentation is kept both ways), answering the subprotocol it was given;
 * {@code /close} closes each session right after it opens. Records the upgrade requests'
 * headers.
 */
public final class JettyWsServer implements AutoCloseable {

	private final Server server = new Server();

	private final ServerConnector connector;

	public final List<Map<String, String>> upgradeHeaders = new CopyOnWriteArrayList<>();

	public final AtomicInteger sessions = new AtomicInteger();

	public final AtomicInteger pongs = new AtomicInteger();

	/**
	 * Starts the server.
	 * @param subprotocol the subprotocol to accept, or {@code null}
	 * @param tls whether to serve wss with the test PKI's localhost certificate
	 */
	public JettyWsServer(String subprotocol, boolean tls) {
		if (tls) {
			SslContextFactory.Server ssl = new SslContextFactory.Server();
			ssl.setSslContext(TestPki.serverContext(TestPki.server()));
			this.connector = new ServerConnector(this.server, ssl);
		}
		else {
			this.connector = new ServerConnector(this.server);
		}
		this.connector.setHost("127.0.0.1");
		this.connector.setPort(0);
		this.server.addConnector(this.connector);
		this.server.setHandler(WebSocketUpgradeHandler.from(this.server, (container) -> {
			container.setMaxTextMessageSize(4 * 1024 * 1024);
			container.setMaxBinaryMessageSize(4 * 1024 * 1024);
			container.setMaxFrameSize(4 * 1024 * 1024);
			container.setIdleTimeout(Duration.ofMinutes(2));
			container.addMapping("/echo", (request, response, callback) -> {
				record(request.getHeaders());
				if (subprotocol != null && request.hasSubProtocol(subprotocol)) {
					response.setAcceptedSubProtocol(subprotocol);
				}
				return new Echo();
			});
			container.addMapping("/close", (request, response, callback) -> {
				record(request.getHeaders());
				if (subprotocol != null && request.hasSubProtocol(subprotocol)) {
					response.setAcceptedSubProtocol(subprotocol);
				}
				return new CloseAtOnce();
			});
		}));
		try {
			this.server.start();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void record(org.eclipse.jetty.http.HttpFields fields) {
		Map<String, String> headers = new ConcurrentHashMap<>();
		fields.forEach((field) -> headers.put(field.getLowerCaseName(), field.getValue()));
		this.upgradeHeaders.add(headers);
	}

	public int port() {
		return this.connector.getLocalPort();
	}

	@Override
	public void close() throws Exception {
		this.server.stop();
	}

	/** Echoes each fragment as it comes. */
	public final class Echo implements Session.Listener.AutoDemanding {

		private volatile Session session;

		@Override
		public void onWebSocketOpen(Session opened) {
			this.session = opened;
			JettyWsServer.this.sessions.incrementAndGet();
		}

		@Override
		public void onWebSocketPartialText(String payload, boolean fin) {
			this.session.sendPartialText(payload, fin, Callback.NOOP);
		}

		@Override
		public void onWebSocketPartialBinary(ByteBuffer payload, boolean fin, Callback callback) {
			ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
			callback.succeed();
			this.session.sendPartialBinary(copy, fin, Callback.NOOP);
		}

		@Override
		public void onWebSocketPong(ByteBuffer payload) {
			JettyWsServer.this.pongs.incrementAndGet();
		}

	}

	/** Closes each session as soon as it opens. */
	public final class CloseAtOnce implements Session.Listener.AutoDemanding {

		@Override
		public void onWebSocketOpen(Session opened) {
			JettyWsServer.this.sessions.incrementAndGet();
			opened.close(1001, "going away", Callback.NOOP);
		}

	}

}
