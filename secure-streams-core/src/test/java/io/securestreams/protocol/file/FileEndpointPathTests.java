package io.securestreams.protocol.file;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Counting the {@code ..} segments a template allows: only those of the template's own text
 * count, not one spelled inside a {@code ${...}} name, which substitution replaces.
 */
class FileEndpointPathTests {

	@Test
	void aParentSegmentTheTemplateWritesIsAllowed() {
		assertThat(FileEndpointPath.of("file:///d/../${n}.txt", "file:///d/../x.txt"))
			.isEqualTo(Path.of("/d/../x.txt"));
	}

	@Test
	void aParentSegmentInsideAMetadataNameIsNotTheTemplates() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FileEndpointPath.of("file:///d/${a/../b}.txt", "file:///d/../secret.txt"))
			.withMessageContaining("climbs out with a '..' segment");
	}

	@Test
	void aValueThatMakesAParentSegmentWithTheTemplatesDotsIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> FileEndpointPath.of("file:///d/..${n}", "file:///d/.."))
			.withMessageContaining("climbs out");
		assertThat(FileEndpointPath.of("file:///d/..${n}", "file:///d/..x")).isEqualTo(Path.of("/d/..x"));
	}

}
