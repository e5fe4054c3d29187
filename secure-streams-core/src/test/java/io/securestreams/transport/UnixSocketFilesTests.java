package io.securestreams.transport;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

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
