package io.securestreams.policy.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A policy is UTF-8 (RFC 3629). Jackson's decoder takes overlong forms ({@code C0 AF} for
 * {@code /}) and sequences beyond U+10FFFF without complaint, so bytes that are not UTF-8 became
 * a different, plausible value: {@code ..%C0%AF} is the classic way past a check for {@code /}.
 * Each is refused where it is, with the JSON path of the value holding it.
 */
class PolicyInvalidUtf8Tests {

	static List<int[]> invalidSequences() {
		return List.of(new int[] { 0xC0, 0xAF }, new int[] { 0xC1, 0xBF }, new int[] { 0xE0, 0x80, 0xAF },
				new int[] { 0xF0, 0x80, 0x80, 0xAF }, new int[] { 0xF4, 0x90, 0x80, 0x80 },
				new int[] { 0xF5, 0x80, 0x80, 0x80 });
	}

	@ParameterizedTest
	@MethodSource("invalidSequences")
	void notUtf8InAValueIsRefusedThere(int[] sequence) {
		byte[] json = bytes("{\"s\": [{\"st\": {\"http_url\": \"/a", sequence, "b\"}}]}");
		assertThat(problems(json)).singleElement()
			.satisfies((problem) -> assertThat(problem).startsWith("t.json:1:").contains(": s[0].st.http_url: ")
				.contains(String.format("invalid UTF-8: byte 0x%02X", sequence[0])));
	}

	@ParameterizedTest
	@MethodSource("invalidSequences")
	void notUtf8InANameIsRefused(int[] sequence) {
		byte[] json = bytes("{\"s\": [{\"st", sequence, "\": {}}]}");
		assertThat(problems(json)).singleElement()
			.satisfies((problem) -> assertThat(problem).startsWith("t.json:1:")
				.contains(String.format("invalid UTF-8: byte 0x%02X", sequence[0])));
	}

	@Test
	void notUtf8InTheValueOfAnUnknownKeyIsRefused() {
		byte[] json = bytes("{\"s\": [{\"st\": {\"x\": [\"", new int[] { 0xC0, 0xAF }, "\"]}}]}");
		assertThat(problems(json)).anySatisfy((problem) -> assertThat(problem).contains("invalid UTF-8: byte 0xC0"));
	}

	@Test
	void notUtf8AfterAByteOrderMarkIsRefused() {
		byte[] json = bytes("\ufeff{\"release\": \"", new int[] { 0xE0, 0x80, 0xAF }, "\"}");
		assertThat(problems(json)).singleElement()
			.satisfies((problem) -> assertThat(problem).contains(": release: invalid UTF-8: byte 0xE0"));
	}

	@Test
	void everyFormOfUtf8IsAccepted() {
		String text = "/a\u00e9\u0800\uffff\ud800\udc00\udbff\udfffb";
		byte[] json = ("{\"s\": [{\"st\": {\"http_url\": \"" + text + "\"}}]}").getBytes(StandardCharsets.UTF_8);
		assertThat(new PolicyParser().parse("t.json", json).policy().streamType("st").http().url()).isEqualTo(text);
	}

	private static List<String> problems(byte[] json) {
		return assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", json))
			.actual()
			.problems()
			.stream()
			.map(PolicyProblem::format)
			.toList();
	}

	private static byte[] bytes(String before, int[] sequence, String after) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
		for (int b : sequence) {
			out.write(b);
		}
		out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

}
