package io.securestreams.server.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RequestPathsTests {

	@ParameterizedTest
	@CsvSource({ "/, /", "'', /", "/a/b, /a/b", "/a/b/, /a/b/", "/a/./b, /a/b", "/a/../b, /b", "/a/.., /",
			"/a/b/.., /a/", "/a/b/., /a/b/", "/../../etc/passwd, /etc/passwd", "/.., /", "/., /", "//a//b, /a/b",
			"///, /", "/a/..., /a/...", "/..a/b.., /..a/b..", "/.hidden/x, /.hidden/x", "a/b, /a/b", "*, /*",
			"/a b/../c+d/e, /c+d/e", "/a/%2e%2e/b, /a/%2e%2e/b" })
	void normalizesLikeTheLibwebsocketsServer(String decoded, String expected) {
		assertThat(RequestPaths.normalize(decoded)).isEqualTo(expected);
	}

}
