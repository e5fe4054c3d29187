package io.securestreams.protocol.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code file://} endpoints whose file changes size while it is read: the stream gets the length
 * the file had when it was opened (what was appended later is not read), or what is left of a file
 * cut short, and an EOM either way.
 */
class FileEndpointResizeTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path temp;

	private final TransitionGuard guard = new TransitionGuard();

	@ParameterizedTest
	@EnumSource(Mode.class)
	void whatIsAppendedWhileTheFileIsReadIsNotRead(Mode mode) throws Exception {
		byte[] content = randomBytes(20 * FileSource.CHUNK + 7);
		Path file = Files.write(this.temp.resolve("growing.bin"), content);
		ResizingHandler handler = new ResizingHandler(() -> append(file, randomBytes(10 * FileSource.CHUNK)));
		readWhole(mode, file, handler);
		assertThat(handler.received()).isEqualTo(content);
		assertThat(handler.eoms()).isEqualTo(1);
		this.guard.assertNoViolations();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aFileCutShortWhileReadEndsWithAnEomAfterWhatItStillHas(Mode mode) throws Exception {
		byte[] content = randomBytes(20 * FileSource.CHUNK + 7);
		Path file = Files.write(this.temp.resolve("shrinking.bin"), content);
		int kept = 3 * FileSource.CHUNK + 100;
		ResizingHandler handler = new ResizingHandler(() -> truncate(file, kept));
		readWhole(mode, file, handler);
		// Through the proxy the reading may be ahead of the client when the file is cut.
		assertThat(handler.received().length).isBetween(kept, content.length);
		assertThat(handler.received()).isEqualTo(Arrays.copyOf(content, handler.received().length));
		assertThat(handler.eoms()).isEqualTo(1);
		this.guard.assertNoViolations();
	}

	private void readWhole(Mode mode, Path file, ResizingHandler handler) throws Exception {
		Policy policy = TestPolicies.with("local", (st) -> st.set(StreamTypeKey.ENDPOINT, "file://" + file)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.RETRY, "fast"));
		try (StreamsUnderTest streams = StreamsUnderTest.start(mode, policy, this.guard)) {
			SecureStream stream = streams.streams().create("local", handler);
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> handler.eoms() > 0);
			Awaitility.await().during(Duration.ofMillis(300)).until(() -> handler.eoms() == 1);
		}
	}

	private static void append(Path file, byte[] more) {
		try {
			Files.write(file, more, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void truncate(Path file, long size) {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
			channel.truncate(size);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

	/** Changes the file when the first rx arrives. */
	private static final class ResizingHandler extends RecordingHandler {

		private final Runnable change;

		private final AtomicBoolean changed = new AtomicBoolean();

		ResizingHandler(Runnable change) {
			this.change = change;
		}

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			if (this.changed.compareAndSet(false, true)) {
				this.change.run();
			}
			return super.onRx(stream, payload, flags);
		}

		int eoms() {
			return (int) this.rxFlags.stream().filter((flags) -> (flags & StreamFlags.EOM) != 0).count();
		}

	}

}
