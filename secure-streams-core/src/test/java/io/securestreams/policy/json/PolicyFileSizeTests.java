package io.securestreams.policy.json;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A policy file is read up to {@link PolicyParser#MAX_FILE_BYTES}: a path naming a device or pipe
 * that never ends ({@code /dev/zero}, which the proxy's {@code --policy} and the policy tool
 * accept as they accept pipes) fails with a message instead of filling the heap.
 */
class PolicyFileSizeTests {

	@TempDir
	Path directory;

	@Test
	void aFileUpToTheBoundIsRead() throws Exception {
		Path file = Files.writeString(this.directory.resolve("p.json"), "{\"s\": []}");
		assertThat(PolicyParser.readFile(file, 9)).asString(StandardCharsets.UTF_8).isEqualTo("{\"s\": []}");
	}

	@Test
	void aFileBeyondTheBoundIsRefusedNamingIt() throws Exception {
		Path file = Files.writeString(this.directory.resolve("p.json"), "{\"s\": [] }");
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> PolicyParser.readFile(file, 9))
			.withMessage("cannot read policy file " + file)
			.havingCause()
			.withMessage("it is larger than 9 bytes, far more than a policy needs");
	}

	@Test
	void aDeviceThatNeverEndsIsRefused() {
		Path zero = Path.of("/dev/zero");
		assumeThat(Files.isReadable(zero)).as("a /dev/zero to read").isTrue();
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> new PolicyParser().parse(zero))
			.havingCause()
			.withMessageContaining("larger than " + PolicyParser.MAX_FILE_BYTES + " bytes");
	}

}
