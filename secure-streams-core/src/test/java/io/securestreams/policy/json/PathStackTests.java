package io.securestreams.policy.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PathStack}: formatting, truncation, growth and independent copies.
 */
class PathStackTests {

	@Test
	void namesAndIndexesAreFormattedAsDocumentPaths() {
		PathStack path = new PathStack();
		assertThat(path.format()).isEmpty();
		path.pushName("s");
		path.pushIndex(12);
		path.pushName("st.a");
		path.pushName("metadata");
		path.pushIndex(0);
		assertThat(path.format()).isEqualTo("s[12].st.a.metadata[0]");
		path.pop();
		path.truncate(2);
		assertThat(path.format()).isEqualTo("s[12]");
		path.truncate(5);
		assertThat(path.size()).isEqualTo(2);
	}

	@Test
	void aCopyKeepsItsSegmentsWhileTheStackChanges() {
		PathStack path = new PathStack();
		path.pushName("s");
		path.pushIndex(3);
		PathStack copy = path.copy();
		path.pop();
		path.pushName("retry");
		assertThat(copy.format()).isEqualTo("s[3]");
		assertThat(path.format()).isEqualTo("s.retry");
	}

	@Test
	void deepPathsGrowTheStack() {
		PathStack path = new PathStack();
		StringBuilder expected = new StringBuilder("root");
		path.pushName("root");
		for (int i = 0; i < 40; i++) {
			path.pushIndex(i);
			expected.append('[').append(i).append(']');
		}
		assertThat(path.format()).isEqualTo(expected.toString());
		assertThat(path.copy().format()).isEqualTo(expected.toString());
	}

	@Test
	void longNamesAreShortenedInTheFormattedPath() {
		PathStack path = new PathStack();
		path.pushName("s");
		path.pushIndex(0);
		path.pushName("n".repeat(64));
		assertThat(path.format()).isEqualTo("s[0]." + "n".repeat(64));
		path.pop();
		path.pushName("n".repeat(50_000));
		path.pushName("port");
		assertThat(path.format()).isEqualTo("s[0]." + "n".repeat(61) + "....port");
		path.truncate(2);
		// A pair of surrogates is kept whole or left out.
		path.pushName("n".repeat(60) + "\uD83D\uDE00" + "n".repeat(10));
		assertThat(path.format()).isEqualTo("s[0]." + "n".repeat(60) + "...");
	}

}
