package io.securestreams.protocol.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.securestreams.testsupport.ServerProcesses;
import io.securestreams.testsupport.TestPki;
import org.jspecify.annotations.Nullable;

/**
 * Debian's mosquitto, started by the test on 127.0.0.1 with a generated configuration: a plain
 * listener and a TLS listener that requires client certificates (the test PKI written to PEM
 * files), persistence in the test's directory and a full log to count client connections.
 * A missing binary fails the test; the interop profile must not pass without the real broker.
 */
final class MosquittoBroker implements AutoCloseable {

	private static final List<String> CANDIDATES = List.of("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto",
			"/usr/bin/mosquitto");

	private final Path dir;

	private final Path binary;

	private final int port;

	private final int tlsPort;

	private @Nullable Process process;

	private MosquittoBroker(Path dir, Path binary, int port, int tlsPort) {
		this.dir = dir;
		this.binary = binary;
		this.port = port;
		this.tlsPort = tlsPort;
	}

	static MosquittoBroker start(Path dir) throws IOException {
		Path binary = binary();
		writePki(dir);
		IOException last = null;
		for (int attempt = 0; attempt < 3; attempt++) {
			MosquittoBroker broker = new MosquittoBroker(dir, binary, ServerProcesses.freePort(),
					ServerProcesses.freePort());
			try {
				broker.launch();
				return broker;
			}
			catch (IOException ex) {
				// Another process may have taken a port between choosing and binding it.
				broker.close();
				last = ex;
			}
		}
		throw last;
	}

	/** Finds the mosquitto binary: {@code -Dmosquitto.binary}, {@code $MOSQUITTO}, then the usual places. */
	static Path binary() {
		return ServerProcesses.binary("mosquitto", CANDIDATES, "mosquitto.binary", "MOSQUITTO");
	}

	private static void writePki(Path dir) throws IOException {
		Files.writeString(dir.resolve("ca.pem"), TestPki.ca().getCertificatePEM());
		Files.writeString(dir.resolve("server.pem"), TestPki.server().getCertificatePEM());
		Files.writeString(dir.resolve("server.key"), TestPki.server().getPrivateKeyPEM());
	}

	private void writeConfig() throws IOException {
		String config = String.join("\n", "per_listener_settings false", "allow_anonymous true",
				"user " + System.getProperty("user.name"), "persistence true",
				"persistence_location " + this.dir.toAbsolutePath() + "/", "max_queued_messages 0",
				"log_dest file " + this.dir.resolve("mosquitto.log").toAbsolutePath(), "log_type all",
				"connection_messages true", "listener " + this.port + " 127.0.0.1",
				"listener " + this.tlsPort + " 127.0.0.1", "cafile " + this.dir.resolve("ca.pem").toAbsolutePath(),
				"certfile " + this.dir.resolve("server.pem").toAbsolutePath(),
				"keyfile " + this.dir.resolve("server.key").toAbsolutePath(), "require_certificate true", "");
		Files.writeString(this.dir.resolve("mosquitto.conf"), config);
	}

	private void launch() throws IOException {
		writeConfig();
		this.process = ServerProcesses.start(
				List.of(this.binary.toString(), "-c", this.dir.resolve("mosquitto.conf").toString()),
				this.dir.resolve("mosquitto.out"), this::output, this.port, this.tlsPort);
	}

	private String output() {
		try {
			Path out = this.dir.resolve("mosquitto.out");
			Path log = this.dir.resolve("mosquitto.log");
			return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(log) ? Files.readString(log) : "");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	int port() {
		return this.port;
	}

	int tlsPort() {
		return this.tlsPort;
	}

	/** Stops mosquitto with SIGTERM (it saves its persistence file) and starts it again. */
	void restart() throws IOException {
		stop();
		launch();
	}

	void stop() {
		Process running = this.process;
		this.process = null;
		ServerProcesses.stop(running);
	}

	/** Counts the network connections a client id opened, from mosquitto's connection log. */
	long connectionsOf(String clientId) {
		String needle = " as " + clientId + " ";
		return output().lines().filter((line) -> line.contains("New client connected") && line.contains(needle))
			.count();
	}

	String log() {
		return output();
	}

	@Override
	public void close() {
		stop();
	}

}
