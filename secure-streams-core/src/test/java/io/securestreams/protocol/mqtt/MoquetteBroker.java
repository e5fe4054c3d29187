package io.securestreams.protocol.mqtt;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.PermitAllAuthorizatorPolicy;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptConnectionLostMessage;
import io.moquette.interception.messages.InterceptDisconnectMessage;
import io.moquette.interception.messages.InterceptSubscribeMessage;
import io.moquette.interception.messages.InterceptUnsubscribeMessage;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.securestreams.testsupport.TestPki;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * An embedded Moquette 0.17 broker on 127.0.0.1, optionally with a TLS listener that requires
 * client certificates from the test CA and with persistence in a temporary directory. Records
 * connection and subscription events by client id.
 * <p>
 * Moquette 0.17 is built against Netty 4.1 but runs on the Netty 4.2 of this build. One quirk:
 * it records the bound port asynchronously, from its event loop, into a plain {@code HashMap}, and
 * its {@code getPort()} writes a 0 into that map when the port is not there yet. Polling
 * {@code getPort()} while the loop records the port can therefore lose the port for good (a full
 * run once waited 10 s for it), so {@link #start} waits by reading the map only, and asks
 * {@code getPort()} once the port is in it.
 */
final class MoquetteBroker implements AutoCloseable {

	private static final String TCP_PORT_KEY = "TCP MQTT";

	private static final String TLS_PORT_KEY = "SSL MQTT";

	private final Path dataDir;

	private final boolean persistent;

	private final boolean tls;

	private final @Nullable IAuthenticator authenticator;

	private final List<String> events = new CopyOnWriteArrayList<>();

	private @Nullable Server server;

	private int port;

	private int tlsPort;

	private MoquetteBroker(Path dataDir, boolean persistent, boolean tls, @Nullable IAuthenticator authenticator) {
		this.dataDir = dataDir;
		this.persistent = persistent;
		this.tls = tls;
		this.authenticator = authenticator;
	}

	static MoquetteBroker start(Path dataDir, boolean persistent, boolean tls, @Nullable IAuthenticator authenticator)
			throws IOException {
		MoquetteBroker broker = new MoquetteBroker(dataDir, persistent, tls, authenticator);
		broker.startServer();
		return broker;
	}

	private void startServer() throws IOException {
		Properties properties = new Properties();
		properties.setProperty("host", "127.0.0.1");
		properties.setProperty("port", String.valueOf(this.port));
		properties.setProperty("websocket_port", "disabled");
		properties.setProperty("telemetry_enabled", "false");
		properties.setProperty("allow_anonymous", "true");
		properties.setProperty("netty.mqtt.message_size", String.valueOf(1024 * 1024));
		properties.setProperty("persistence_enabled", String.valueOf(this.persistent));
		properties.setProperty("data_path", this.dataDir.toAbsolutePath() + "/");
		if (this.tls) {
			properties.setProperty("ssl_port", String.valueOf(this.tlsPort));
			properties.setProperty("need_client_auth", "true");
		}
		Server started = new Server();
		started.startServer(new MemoryConfig(properties), List.of(new Recorder()),
				this.tls ? MoquetteBroker::tlsContext : null, this.authenticator, new PermitAllAuthorizatorPolicy());
		Map<?, ?> boundPorts = boundPorts(started);
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> boundPorts.get(TCP_PORT_KEY) != null
				&& (!this.tls || boundPorts.get(TLS_PORT_KEY) != null));
		this.port = started.getPort();
		this.tlsPort = this.tls ? started.getSslPort() : 0;
		this.server = started;
	}

	/** The acceptor's map of bound ports by transport name, which this class only reads. */
	private static Map<?, ?> boundPorts(Server server) {
		try {
			Field acceptorField = Server.class.getDeclaredField("acceptor");
			acceptorField.setAccessible(true);
			Object acceptor = acceptorField.get(server);
			Field portsField = acceptor.getClass().getDeclaredField("ports");
			portsField.setAccessible(true);
			return (Map<?, ?>) portsField.get(acceptor);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Moquette's acceptor no longer has the ports map this test reads", ex);
		}
	}

	private static SslContext tlsContext() {
		try {
			return SslContextBuilder.forServer(TestPki.server().toKeyManagerFactory())
				.trustManager(TestPki.ca().getCertificate())
				.clientAuth(ClientAuth.REQUIRE)
				.sslProvider(SslProvider.JDK)
				.build();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	int port() {
		return this.port;
	}

	int tlsPort() {
		return this.tlsPort;
	}

	/** Stops the broker and starts it again on the same ports. */
	void restart() throws IOException {
		stop();
		startServer();
	}

	void stop() {
		Server running = this.server;
		this.server = null;
		if (running != null) {
			running.stopServer();
		}
	}

	/** Returns the recorded events, such as {@code CONNECT id}, {@code LOST id}, {@code SUBSCRIBE id filter}. */
	List<String> events() {
		return List.copyOf(this.events);
	}

	long count(String event) {
		return this.events.stream().filter(event::equals).count();
	}

	/** Returns the client ids connected now. */
	List<String> connectedClients() {
		Server running = this.server;
		return (running != null) ? running.listConnectedClients().stream().map((c) -> c.getClientID()).toList()
				: List.of();
	}

	@Override
	public void close() {
		stop();
	}

	/** Records broker events; Moquette calls it on its interceptor threads. */
	private final class Recorder extends AbstractInterceptHandler {

		@Override
		public String getID() {
			return "recorder";
		}

		@Override
		public void onConnect(InterceptConnectMessage msg) {
			MoquetteBroker.this.events.add("CONNECT " + msg.getClientID());
			if (msg.getUsername() != null) {
				MoquetteBroker.this.events.add("USER " + msg.getClientID() + " " + msg.getUsername());
			}
		}

		@Override
		public void onDisconnect(InterceptDisconnectMessage msg) {
			MoquetteBroker.this.events.add("DISCONNECT " + msg.getClientID());
		}

		@Override
		public void onConnectionLost(InterceptConnectionLostMessage msg) {
			MoquetteBroker.this.events.add("LOST " + msg.getClientID());
		}

		@Override
		public void onSubscribe(InterceptSubscribeMessage msg) {
			MoquetteBroker.this.events.add("SUBSCRIBE " + msg.getClientID() + " " + msg.getTopicFilter());
		}

		@Override
		public void onUnsubscribe(InterceptUnsubscribeMessage msg) {
			MoquetteBroker.this.events.add("UNSUBSCRIBE " + msg.getClientID() + " " + msg.getTopicFilter());
		}

		@Override
		public void onSessionLoopError(Throwable error) {
			MoquetteBroker.this.events.add("ERROR " + error);
		}

	}

}
