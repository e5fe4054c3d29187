package io.securestreams.benchmarks.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A mosquitto started by the harness on a free loopback port, without persistence, with no
 * limit on queued QoS 1 messages, logging errors only, with or without {@code set_tcp_nodelay}
 * (mosquitto's default is off: Nagle's algorithm on its sockets); stopped with SIGTERM on close.
 */
final class Mosquitto implements AutoCloseable {

	private final Process process;

	private final int port;

	private final Path dir;

	private Mosquitto(Process process, int port, Path dir) {
		this.process = process;
		this.port = port;
		this.dir = dir;
	}

	static Mosquitto start(String binary, boolean noDelay) throws IOException, InterruptedException {
		Path dir = Files.createTempDirectory("bench-mosquitto");
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		Path config = dir.resolve("mosquitto.conf");
		Files.writeString(config, String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous true",
				"persistence false", "max_queued_messages 0", "log_dest file " + dir.resolve("mosquitto.log"),
				"log_type error", "log_type warning", "set_tcp_nodelay " + noDelay,
				"user " + System.getProperty("user.name"), ""));
		Process process = new ProcessBuilder(binary, "-c", config.toString()).redirectErrorStream(true)
			.redirectOutput(dir.resolve("mosquitto.out").toFile())
			.start();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IOException("mosquitto exited with " + process.exitValue() + ": "
						+ Files.readString(dir.resolve("mosquitto.out")));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
				return new Mosquitto(process, port, dir);
			}
			catch (IOException ex) {
				Thread.sleep(50);
			}
		}
		process.destroyForcibly();
		throw new IOException("mosquitto did not listen on " + port + " within 10 s");
	}

	int port() {
		return this.port;
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
		try (var files = Files.list(this.dir)) {
			for (Path file : files.toList()) {
				Files.deleteIfExists(file);
			}
			Files.deleteIfExists(this.dir);
		}
		catch (IOException ex) {
			// A leftover temporary directory is harmless.
		}
	}

}
