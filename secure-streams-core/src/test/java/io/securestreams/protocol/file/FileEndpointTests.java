package io.securestreams.protocol.file;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.StreamsUnderTest;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code file://} endpoints (reference: rx flags): the file arrives as rx in chunks of at most
 * 1400 bytes, SOM on the first and EOM on the last, directly and through the proxy.
 */
class FileEndpointTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path temp;

	private final TransitionGuard guard = new TransitionGuard();

	@ParameterizedTest
	@EnumSource(Mode.class)
	void aFileArrivesInChunksWithSomOnTheFirstAndEomOnTheLast(Mode mode) throws Exception {
		// Large enough for the proxy's rx flow control to pause the reading.
		byte[] content = randomBytes(3 * 1024 * 1024 + 123);
		Path file = Files.write(this.temp.resolve("data.bin"), content);
		try (StreamsUnderTest streams = StreamsUnderTest.start(mode, policy("file://" + file), this.guard);
				CapturedLogs logs = new CapturedLogs("io.securestreams")) {
			ChunkRecorder handler = new ChunkRecorder();
			SecureStream stream = streams.streams().create("local", handler);
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> handler.eomSeen());
			assertThat(handler.received()).isEqualTo(content);
			int limit = (mode == Mode.DIRECT) ? FileSource.CHUNK : 1380;
			assertThat(handler.sizes).allMatch((size) -> size > 0 && size <= limit);
			if (mode == Mode.DIRECT) {
				assertThat(handler.sizes).hasSize((content.length + FileSource.CHUNK - 1) / FileSource.CHUNK);
			}
			assertThat(handler.rxFlags.get(0) & StreamFlags.SOM).isNotZero();
			assertThat(handler.rxFlags.subList(1, handler.rxFlags.size())).allMatch((f) -> (f & StreamFlags.SOM) == 0);
			assertThat(handler.rxFlags.subList(0, handler.rxFlags.size() - 1))
				.allMatch((f) -> (f & StreamFlags.EOM) == 0);
			// The stream stays connected after the file, as in libwebsockets.
			List<StreamState> expected = (mode == Mode.DIRECT)
					? List.of(StreamState.CREATING, StreamState.POLL, StreamState.CONNECTING, StreamState.CONNECTED)
					: List.of(StreamState.CREATING, StreamState.CONNECTING, StreamState.CONNECTED);
			assertThat(handler.states).containsExactlyElementsOf(expected);
			assertThat(logs.messages()).noneMatch((line) -> line.contains("buffer full"));
			stream.destroy();
		}
		this.guard.assertNoViolations();
	}

	@ParameterizedTest
	@EnumSource(Mode.class)
	void anEmptyFileIsOneEmptyRxWithSomAndEom(Mode mode) throws Exception {
		Path file = Files.write(this.temp.resolve("empty"), new byte[0]);
		try (StreamsUnderTest streams = StreamsUnderTest.start(mode, policy("file://" + file), this.guard)) {
			ChunkRecorder handler = new ChunkRecorder();
			streams.streams().create("local", handler).requestTx();
			Awaitility.await().atMost(WAIT).until(() -> handler.eomSeen());
			assertThat(handler.sizes).containsExactly(0);
			assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		}
		this.guard.assertNoViolations();
	}

	@Test
	void aFileThatCannotBeReadFailsEachAttemptUntilAllRetriesFailed() throws Exception {
		Path missing = this.temp.resolve("missing.bin");
		Path directory = Files.createDirectory(this.temp.resolve("dir"));
		for (Path path : List.of(missing, directory)) {
			try (StreamsUnderTest streams = StreamsUnderTest.start(Mode.DIRECT, policy("file://" + path), this.guard);
					CapturedLogs logs = new CapturedLogs("io.securestreams")) {
				RecordingHandler handler = new RecordingHandler();
				streams.streams().create("local", handler).requestTx();
				handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
				assertThat(handler.states).contains(StreamState.UNREACHABLE).doesNotContain(StreamState.CONNECTED);
				assertThat(handler.received()).isEmpty();
				assertThat(logs.await("unable to read " + path)).containsAnyOf("does not exist", "not a regular file");
			}
		}
		this.guard.assertNoViolations();
	}

	@Test
	void thePathMayUseMetadata() throws Exception {
		Files.write(this.temp.resolve("b.txt"), "bee".getBytes());
		Policy policy = TestPolicies.with("local", (st) -> keys(st, "file://" + this.temp + "/${name}.txt")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("name", ""))));
		try (StreamsUnderTest streams = StreamsUnderTest.start(Mode.DIRECT, policy, this.guard)) {
			ChunkRecorder handler = new ChunkRecorder();
			SecureStream stream = streams.streams().create("local", handler);
			stream.setMetadata("name", "b");
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> handler.eomSeen());
			assertThat(new String(handler.received())).isEqualTo("bee");
		}
		this.guard.assertNoViolations();
	}

	/**
	 * Metadata may come from less trusted code than the policy (another process, through the
	 * proxy): a value may name a file below the template's directory, but a {@code ..} segment it
	 * brings in fails the attempt with a warning, and nothing of the file outside is read. A
	 * {@code ..} the policy wrote itself is the policy's choice.
	 */
	@ParameterizedTest
	@EnumSource(Mode.class)
	void metadataCannotClimbOutOfTheTemplatesDirectory(Mode mode) throws Exception {
		Files.write(this.temp.resolve("secret.txt"), "secret".getBytes());
		Path shared = Files.createDirectories(this.temp.resolve("shared/sub"));
		Files.write(shared.resolve("a.txt"), "a".getBytes());
		Policy policy = TestPolicies.with("local", (st) -> keys(st, "file://" + this.temp + "/shared/${name}.txt")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("name", ""))));
		try (StreamsUnderTest streams = StreamsUnderTest.start(mode, policy, this.guard);
				CapturedLogs logs = new CapturedLogs("io.securestreams")) {
			for (String climbing : List.of("../secret", "sub/../../secret", "..")) {
				ChunkRecorder handler = new ChunkRecorder();
				SecureStream stream = streams.streams().create("local", handler);
				stream.setMetadata("name", climbing);
				stream.requestTx();
				handler.await(StreamState.ALL_RETRIES_FAILED, WAIT);
				assertThat(handler.states).doesNotContain(StreamState.CONNECTED);
				assertThat(handler.received()).isEmpty();
				stream.destroy();
			}
			assertThat(logs.await("climbs out with a '..' segment")).contains("/shared/${name}.txt");
			ChunkRecorder below = new ChunkRecorder();
			SecureStream stream = streams.streams().create("local", below);
			stream.setMetadata("name", "sub/a");
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> below.eomSeen());
			assertThat(new String(below.received())).isEqualTo("a");
		}
		Policy parent = TestPolicies.with("local", (st) -> keys(st, "file://" + this.temp + "/shared/../${name}.txt")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("name", ""))));
		try (StreamsUnderTest streams = StreamsUnderTest.start(mode, parent, this.guard)) {
			ChunkRecorder handler = new ChunkRecorder();
			SecureStream stream = streams.streams().create("local", handler);
			stream.setMetadata("name", "secret");
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> handler.eomSeen());
			assertThat(new String(handler.received())).isEqualTo("secret");
		}
		this.guard.assertNoViolations();
	}

	@Test
	void disconnectMeFromRxStopsTheReadingAndTheNextRequestReadsFromTheStart() throws Exception {
		byte[] content = randomBytes(10 * FileSource.CHUNK);
		Path file = Files.write(this.temp.resolve("data.bin"), content);
		try (StreamsUnderTest streams = StreamsUnderTest.start(Mode.DIRECT, policy("file://" + file), this.guard)) {
			ChunkRecorder handler = new ChunkRecorder();
			handler.disconnectAfter = 2;
			SecureStream stream = streams.streams().create("local", handler);
			stream.requestTx();
			handler.await(StreamState.DISCONNECTED, WAIT);
			assertThat(handler.sizes).hasSize(2);
			handler.disconnectAfter = Integer.MAX_VALUE;
			stream.requestTx();
			Awaitility.await().atMost(WAIT).until(() -> handler.eomSeen());
			assertThat(handler.rxFlags.get(2) & StreamFlags.SOM).isNotZero();
			assertThat(handler.sizes).hasSize(12);
			assertThat(handler.stateNames()).containsExactly("CREATING", "POLL", "CONNECTING", "CONNECTED",
					"DISCONNECTED", "POLL", "CONNECTING", "CONNECTED");
		}
		this.guard.assertNoViolations();
	}

	private static Policy policy(String endpoint) {
		return TestPolicies.with("local", (st) -> keys(st, endpoint));
	}

	private static StreamTypePolicy.Builder keys(StreamTypePolicy.Builder builder, String endpoint) {
		return builder.set(StreamTypeKey.ENDPOINT, endpoint)
			.set(StreamTypeKey.OPPORTUNISTIC, true)
			.set(StreamTypeKey.RETRY, "fast")
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, 16384L)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_OFF_BELOW, 4096L);
	}

	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

	/** Records each rx's size too, and can disconnect after some rx. */
	private static final class ChunkRecorder extends RecordingHandler {

		final List<Integer> sizes = new CopyOnWriteArrayList<>();

		volatile int disconnectAfter = Integer.MAX_VALUE;

		@Override
		public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
			this.sizes.add(payload.remaining());
			super.onRx(stream, payload, flags);
			return (this.sizes.size() == this.disconnectAfter) ? StreamResult.DISCONNECT_ME : StreamResult.OK;
		}

		boolean eomSeen() {
			return this.rxFlags.stream().anyMatch((flags) -> (flags & StreamFlags.EOM) != 0);
		}

	}

}
