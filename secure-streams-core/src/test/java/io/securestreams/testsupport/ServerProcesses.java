package io.securestreams.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * What the interop tests need to run a third-party server from Debian's packages: find its binary,
 * pick free loopback ports, start it and wait for its ports, and stop it.
 */
public final class ServerProcesses {

	private ServerProcesses() {
	}

	/**
	 * Finds a server binary: the system property, then the environment variable, then the usual
	 * places, then the PATH. A missing binary fails the test: the interop profile must not pass
	 * without the real server.
	 * @param name the binary's name, which is also the Debian package's
	 * @param candidates the usual places
	 * @param property the system property that may name another binary
	 * @param environment the environment variable that may name another binary
	 * @return the binary
	 */
	public static Path binary(String name, List<String> candidates, String property, String environment) {
		String configured = System.getProperty(property, System.getenv(environment));
		if (configured != null && !configured.isBlank()) {
			Path path = Paths.get(configured);
			if (!Files.isExecutable(path)) {
				throw new AssertionError(property + "=" + configured + " is not an executable file");
			}
			return path;
		}
		for (String candidate : candidates) {
			if (Files.isExecutable(Paths.get(candidate))) {
				return Paths.get(candidate);
			}
		}
		for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			Path path = Paths.get(entry, name);
			if (!entry.isEmpty() && Files.isExecutable(path)) {
				return path;
			}
		}
		throw new AssertionError("the interop tests need Debian's " + name + ", which was not found in " + candidates
				+ " or on the PATH; install it with 'apt-get install " + name + "' or set -D" + property);
	}

	/**
	 * Returns a loopback port free at the time of the call.
	 * @return the port
	 * @throws IOException when no port can be had
	 */
	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Starts a server and waits until it accepts connections on every port.
	 * @param command the command line
	 * @param output where its standard output and error are appended
	 * @param what describes the server's output for an error message (its logs)
	 * @param ports the ports it must open
	 * @return the running process
	 * @throws IOException when it exits or does not open its ports within 10 seconds
	 */
	public static Process start(List<String> command, Path output, Supplier<String> what, int... ports)
			throws IOException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
			.start();
		try {
			Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
				.until(() -> !process.isAlive() || acceptsAll(ports));
		}
		catch (RuntimeException ex) {
			stop(process);
			throw new IOException(command.get(0) + " did not open its ports: " + what.get(), ex);
		}
		if (!process.isAlive()) {
			throw new IOException(command.get(0) + " exited with " + process.exitValue() + ": " + what.get());
		}
		return process;
	}

	private static boolean acceptsAll(int... ports) {
		for (int port : ports) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
			}
			catch (IOException ex) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Stops a server with SIGTERM (so it can save its state), and kills it if it takes longer
	 * than 10 seconds.
	 * @param process the server, or {@code null}
	 */
	public static void stop(@Nullable Process process) {
		if (process == null) {
			return;
		}
		process.destroy();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
