package io.securestreams.policy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A {@link MetadataDeclaration} cannot be made invalid, so a list of them only needs its own
 * rules (count, repeated names) checked when a builder takes it.
 */
class MetadataDeclarationTests {

	@Test
	void validDeclarationsKeepTheirParts() {
		MetadataDeclaration mapped = new MetadataDeclaration("ctype", "content-type:");
		assertThat(mapped.isMapped()).isTrue();
		assertThat(mapped.headerName()).isEqualTo("content-type");
		MetadataDeclaration plain = new MetadataDeclaration("region", "");
		assertThat(plain.isMapped()).isFalse();
		assertThat(plain.headerName()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "a$b", "a{b", "a}b", "a b", "a\tb", "a-name-that-is-longer-than-thirty-characters" })
	void invalidNamesAreRefused(String name) {
		assertThatIllegalArgumentException().isThrownBy(() -> new MetadataDeclaration(name, ""))
			.withMessageContaining("metadata name");
	}

	@ParameterizedTest
	@ValueSource(strings = { "not a header", "x-id::", ":", "caf\u00e9:", "a/b" })
	void invalidMappingsAreRefused(String mapping) {
		assertThatIllegalArgumentException().isThrownBy(() -> new MetadataDeclaration("x", mapping))
			.withMessageContaining("metadata mapping must be empty or a header name");
	}

	@Test
	void nullPartsAreRefused() {
		assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> new MetadataDeclaration(null, ""))
			.withMessage("name");
		assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> new MetadataDeclaration("x", null))
			.withMessage("mapping");
	}

	@Test
	void aBuilderStillRefusesRepeatedNames() {
		List<MetadataDeclaration> twice = List.of(new MetadataDeclaration("x", ""),
				new MetadataDeclaration("x", "x-id:"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> StreamTypePolicy.builder("st").set(StreamTypeKey.METADATA, twice))
			.withMessage("metadata name 'x' is declared twice");
	}

}
