package io.securestreams.protocol.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded {@link MoquetteBroker}, without persistence, for all the tests of a class: started
 * before the first test and stopped after the last, with its data in a temporary directory that
 * is deleted then. Starting a broker per class rather than per test keeps the suite fast; the
 * tests keep apart by their client ids and topics.
 * <p>
 * Register it on a static field with {@code @RegisterExtension}; it answers for the broker with
 * the accessors of {@link MoquetteBroker} that such tests use.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MoquetteExtension implements BeforeAllCallback, AfterAllCallback {

	private final boolean tls;

	private @Nullable Path dataDir;

	private @Nullable MoquetteBroker broker;

	/**
	 * Creates the extension.
	 * @param tls whether the broker also has its TLS listener, which requires client certificates
	 */
	public MoquetteExtension(boolean tls) {
		this.tls = tls;
	}

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		this.dataDir = Files.createTempDirectory("moquette");
		this.broker = MoquetteBroker.start(this.dataDir, false, this.tls, null);
	}

	@Override
	public void afterAll(ExtensionContext context) throws IOException {
		if (this.broker != null) {
			this.broker.close();
			this.broker = null;
		}
		if (this.dataDir != null) {
			deleteRecursively(this.dataDir);
			this.dataDir = null;
		}
	}

	/**
	 * Returns the port of the plain listener.
	 * @return the port
	 */
	public int port() {
		return running().port();
	}

	int tlsPort() {
		return running().tlsPort();
	}

	/** Returns the recorded events, such as {@code CONNECT id}, {@code LOST id}, {@code SUBSCRIBE id filter}. */
	List<String> events() {
		return running().events();
	}

	long count(String event) {
		return running().count(event);
	}

	/** Returns the client ids connected now. */
	List<String> connectedClients() {
		return running().connectedClients();
	}

	private MoquetteBroker running() {
		if (this.broker == null) {
			throw new IllegalStateException("the broker runs only while the tests of its class run");
		}
		return this.broker;
	}

	private static void deleteRecursively(Path dir) throws IOException {
		List<Path> paths;
		try (Stream<Path> walk = Files.walk(dir)) {
			// Children before their directories.
			paths = walk.sorted(Comparator.reverseOrder()).toList();
		}
		for (Path path : paths) {
			Files.delete(path);
		}
	}

}
