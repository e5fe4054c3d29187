package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Deprecated and questionable content is accepted with a located warning.
 */
class PolicyParserWarningsTests {

	private static ParsedPolicy parse(String json) {
		return new PolicyParser().parse("w.json", json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void longStreamtypeNameCannotGoThroughTheProxy() {
		String name = "a_streamtype_name_of_32_chars_xx";
		ParsedPolicy parsed = parse("{'s': [{'" + name + "': {}, 'a_streamtype_name_of_31_chars_x': {}}]}");
		assertThat(parsed.policy().streamTypes()).containsKey(name);
		assertThat(parsed.warnings()).extracting(PolicyProblem::format).containsExactly("w.json:1:9: s[0]." + name
				+ ": warning: streamtype name is longer than 31 bytes of UTF-8, so it cannot be used through the "
				+ "proxy wire protocol");
	}

	@Test
	void readmeMultipartContentTypeIsAnAlias() {
		ParsedPolicy parsed = parse("{'s': [{'st': {'http_multipart_content_type': 'text/plain'}}]}");
		assertThat(parsed.policy().streamType("st").http().mimeContentType()).isEqualTo("text/plain");
		assertThat(parsed.policy().streamType("st").http().multipart()).isTrue();
		assertThat(parsed.warnings()).extracting(PolicyProblem::format).containsExactly("w.json:1:16: "
				+ "s[0].st.http_multipart_content_type: warning: 'http_multipart_content_type' is a deprecated alias "
				+ "(the README's name); use 'http_mime_content_type'");
	}

	@Test
	void aliasAndKeyInOneStreamtypeAreADuplicateKey() {
		for (String keys : new String[] { "'http_mime_content_type': 'a/b',\n'http_multipart_content_type': 'c/d'",
				"'http_multipart_content_type': 'c/d',\n'http_mime_content_type': 'a/b'" }) {
			String second = keys.substring(keys.indexOf('\n') + 2, keys.lastIndexOf(':') - 1);
			assertThatExceptionOfType(PolicyException.class).isThrownBy(() -> parse("{'s': [{'st': {" + keys + "}}]}"))
				.satisfies((ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
					.containsExactly("w.json:2:1: s[0].st." + second + ": duplicate key '" + second + "' in one "
							+ "object: http_multipart_content_type is an alias of http_mime_content_type (first at "
							+ "line 1)"));
		}
	}

	@Test
	void h1getKeepsAnExplicitMethod() {
		ParsedPolicy parsed = parse("{'s': [{'st': {'protocol': 'h1get', 'http_method': 'POST'}}]}");
		StreamTypePolicy st = parsed.policy().streamType("st");
		assertThat(st.protocol()).isEqualTo(Protocol.H1);
		assertThat(st.http().method()).isEqualTo("POST");
		assertThat(parsed.warnings()).hasSize(1);
	}

	@Test
	void pluginsAndAuxAreIgnored() {
		ParsedPolicy parsed = parse("{'s': [{'st': {'plugins': [{'x': 1}], 'aux': 'index.html'}}]}");
		assertThat(parsed.policy().streamType("st")).isEqualTo(StreamTypePolicy.builder("st").build());
		assertThat(parsed.warnings()).extracting(PolicyProblem::message)
			.containsExactly("'plugins' is deprecated and ignored", "'aux' is deprecated and ignored");
	}

	@Test
	void validPolicyHasNoWarnings() {
		assertThat(parse("{'s': [{'st': {'protocol': 'h2'}}]}").warnings()).isEmpty();
	}

}
