package io.securestreams.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class UnixSocketFilesTests {

	@TempDir
	Path temp;

	@Test
	void aSocketFileNobodyListensOnIsRemoved() throws Exception {
		Path path = this.temp.resolve("stale.sock");
		// Closing a JDK server socket leaves its file behind, as a process that died would.
		try (ServerSocketChannel left = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			left.bind(UnixDomainSocketAddress.of(path));
		}
		assertThat(path).exists();
		UnixSocketFiles.removeStale(path);
		assertThat(path).doesNotExist();
	}

	@Test
	void aSocketALiveListenerAcceptsOnIsKeptAndReported() throws Exception {
		Path path = this.temp.resolve("live.sock");
		try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			live.bind(UnixDomainSocketAddress.of(path));
			assertThatIllegalStateException().isThrownBy(() -> UnixSocketFiles.removeStale(path))
				.withMessage("the Unix socket " + path + " is in use by a running listener");
			assertThat(path).exists();
			try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
				assertThat(client.isConnected()).isTrue();
			}
		}
	}

	// A listener that has stopped accepting (a hung process) with its backlog full: a blocking
	// connect to it waits, in the kernel, for as long as the listener lives, and the bind that
	// asked would never return.
	@Test
	void aSocketWhoseListenerNoLongerAcceptsIsKeptAndReportedWithoutWaiting() throws Exception {
		Path path = this.temp.resolve("busy.sock");
		List<SocketChannel> waiting = new ArrayList<>();
		try (ServerSocketChannel busy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			busy.bind(UnixDomainSocketAddress.of(path), 1);
			fillBacklog(path, waiting);
			CompletableFuture<Throwable> outcome = new CompletableFuture<>();
			Thread remover = new Thread(() -> {
				try {
					UnixSocketFiles.removeStale(path);
					outcome.complete(null);
				}
				catch (Throwable ex) {
					outcome.complete(ex);
				}
			}, "remove-stale");
			remover.setDaemon(true);
			remover.start();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(outcome::isDone);
			assertThat(outcome.get()).isInstanceOf(IllegalStateException.class)
				.hasMessage("the Unix socket " + path + " is in use by a running listener");
			assertThat(path).exists();
		}
		finally {
			for (SocketChannel client : waiting) {
				client.close();
			}
		}
	}

	// Connects without blocking until the kernel refuses another connection for now.
	private static void fillBacklog(Path path, List<SocketChannel> clients) throws IOException {
		for (int i = 0; i < 64; i++) {
			SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
			clients.add(client);
			client.configureBlocking(false);
			try {
				client.connect(UnixDomainSocketAddress.of(path));
			}
			catch (IOException full) {
				return;
			}
		}
		throw new IllegalStateException("the backlog of " + path + " did not fill up");
	}

	@Test
	void aMissingPathIsLeftToTheBind() {
		Path absent = this.temp.resolve("absent.sock");
		assertThatCode(() -> UnixSocketFiles.removeStale(absent)).doesNotThrowAnyException();
		assertThat(absent).doesNotExist();
	}

	@Test
	void aFileOrDirectoryThatIsNoSocketIsKeptAndReported() throws Exception {
		Path regular = Files.writeString(this.temp.resolve("notes.txt"), "keep me");
		assertThatIllegalStateException().isThrownBy(() -> UnixSocketFiles.removeStale(regular))
			.withMessage("the path " + regular + " is not a Unix socket; not replacing it");
		assertThat(regular).hasContent("keep me");
		Path directory = Files.createDirectory(this.temp.resolve("dir"));
		assertThatIllegalStateException().isThrownBy(() -> UnixSocketFiles.removeStale(directory));
		assertThat(directory).isDirectory();
	}

}
