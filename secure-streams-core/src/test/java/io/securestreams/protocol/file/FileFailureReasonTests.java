package io.securestreams.protocol.file;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reason a file:// endpoint's warning gives: a file system failure's message is often just
 * the path the line names already (a permission-denied file cannot be made here, where the tests
 * may run as root, so the reasons are checked directly).
 */
class FileFailureReasonTests {

	@Test
	void aFailureWhoseMessageIsThePathIsNamedByItsKind() {
		assertThat(FileSource.why(new AccessDeniedException("/data/x"))).isEqualTo("AccessDeniedException");
		assertThat(FileSource.why(new NoSuchFileException("/data/x"))).isEqualTo("NoSuchFileException");
	}

	@Test
	void aFailureWithAReasonGivesIt() {
		assertThat(FileSource.why(new FileSystemException("/data/x", null, "Is a directory")))
			.isEqualTo("Is a directory");
		assertThat(FileSource.why(new IOException("/data/x does not exist"))).isEqualTo("/data/x does not exist");
	}

}
