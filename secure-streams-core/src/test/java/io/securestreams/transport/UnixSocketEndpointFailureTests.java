package io.securestreams.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.LogCapture;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code +/path} endpoint where no listener is (nothing there, a file or a directory that is no
 * socket, a path too long for {@code sun_path}): each attempt is UNREACHABLE, the retry policy
 * runs out, and the log line of each failure names the path, whichever transport connects.
 */
class UnixSocketEndpointFailureTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@TempDir
	Path dir;

	@ParameterizedTest(name = "{0} {1}")
	@CsvSource({ "NIO,missing", "NIO,missing-directory", "NIO,regular-file", "NIO,directory", "NIO,too-long",
			"AUTO,missing", "AUTO,missing-directory", "AUTO,regular-file", "AUTO,directory", "AUTO,too-long" })
	void eachFailedAttemptNamesThePath(TransportResources.Kind kind, String what) throws Exception {
		Path path = switch (what) {
			case "missing" -> this.dir.resolve("no-listener.sock");
			case "missing-directory" -> this.dir.resolve("absent").resolve("no-listener.sock");
			case "directory" -> Files.createDirectory(this.dir.resolve("a-directory"));
			// More than the 108 bytes of sun_path.
			case "too-long" -> this.dir.resolve("x".repeat(120) + ".sock");
			default -> Files.writeString(this.dir.resolve("not-a-socket"), "x");
		};
		LogCapture logs = this.resources.closing(new LogCapture());
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("s")
			.set(StreamTypeKey.PROTOCOL, Protocol.RAW)
			.set(StreamTypeKey.ENDPOINT, "+" + path)
			.set(StreamTypeKey.RETRY, "once");
		SecureStreams streams = this.resources
			.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1).transport(kind));
		RecordingHandler handler = new RecordingHandler();
		streams.create("s", handler).connect();
		handler.await(StreamState.ALL_RETRIES_FAILED, Duration.ofSeconds(10));
		assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "UNREACHABLE", "POLL",
				"CONNECTING", "UNREACHABLE", "ALL_RETRIES_FAILED");
		assertThat(logs.messages()).filteredOn((line) -> line.contains("connection failed"))
			.hasSize(2)
			.allSatisfy((line) -> assertThat(line).contains(path.toString()).doesNotContain("null"));
	}

}
