package io.securestreams.policy.json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.securestreams.policy.StreamTypeKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy reference documents every key the reader accepts. Tests run with the module
 * directory as working directory, so the page is at {@code ../docs/policy.md}.
 */
class PolicyDocsTests {

	private static final Path PAGE = Path.of("..", "docs", "policy.md");

	private static String page() throws IOException {
		return Files.readString(PAGE);
	}

	@ParameterizedTest
	@EnumSource(StreamTypeKey.class)
	void everyStreamtypeKeyIsDocumented(StreamTypeKey key) throws IOException {
		assertThat(page()).contains("| `" + key.jsonName() + "` |");
	}

	static Stream<String> sectionKeys() {
		return Stream.of(TopLevelReader.KEYS, RetryReader.KEYS, TrustStoreReader.KEYS, AuthReader.AUTH_KEYS,
				AuthReader.METRICS_KEYS).flatMap((keys) -> keys.stream());
	}

	@ParameterizedTest
	@MethodSource("sectionKeys")
	void everySectionKeyIsDocumented(String key) throws IOException {
		assertThat(page()).contains("| `" + key + "` |");
	}

}
