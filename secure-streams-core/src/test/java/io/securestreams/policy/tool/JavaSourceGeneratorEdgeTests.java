package io.securestreams.policy.tool;

import java.nio.charset.StandardCharsets;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.json.PolicyFixtures;
import io.securestreams.policy.json.PolicyJsonWriter;
import io.securestreams.policy.json.PolicyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated Java for values javac could misread and numbers at the edges of their ranges, and
 * for the merged output of {@code overlay}.
 */
class JavaSourceGeneratorEdgeTests {

	private final JavaSourceGenerator generator = new JavaSourceGenerator();

	@Test
	void namesAndValuesJavacCouldMisreadCompile() throws Exception {
		// Written as text: a comment end, unicode escapes javac would translate before lexing,
		// lone surrogates, line separators, placeholders and control characters.
		String[] names = { "a\"b", "c\\d", "*/ x /*", "\\u000a", "\\\\u0022", "\\", "\uD83D\uDE00z", "${x}", "\u0000",
				"\uD800", "\uDC00a", "\r\u2028\u2029\u0085", "\\u005c", "\u00e9\\" };
		PolicyFragment fragment = new PolicyFragment();
		for (String name : names) {
			fragment.streamType(name)
				.set(StreamTypeKey.ENDPOINT, name + "/" + name)
				.set(StreamTypeKey.PAYLOAD_FMT, name + "*/");
		}
		Policy policy = fragment.release("*/ \\u000a").product("\\").build();
		String source = this.generator.generate(policy, "p", "Awkward");
		assertThat(InMemoryCompiler.policy("p.Awkward", source)).isEqualTo(policy);
	}

	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void numbersAtTheEdgesOfTheirRangesCompile(boolean highest) throws Exception {
		PolicyFragment fragment = new PolicyFragment();
		StreamTypePolicy.Builder builder = fragment.streamType("edges");
		for (StreamTypeKey key : StreamTypeKey.values()) {
			long edge = highest ? key.max() : key.min();
			switch (key.type()) {
				case INTEGER -> builder.set(key, (int) ((key == StreamTypeKey.PORT) ? Math.max(1, edge) : edge));
				case LONG -> builder.set(key, edge);
				case BOOLEAN -> builder.set(key, !highest);
				default -> {
				}
			}
		}
		Policy policy = fragment.build();
		String source = this.generator.generate(policy, "p", "Edges");
		assertThat(InMemoryCompiler.policy("p.Edges", source)).isEqualTo(policy);
		String json = new PolicyJsonWriter().write(policy, false);
		assertThat(new PolicyParser().parse("json", json.getBytes(StandardCharsets.UTF_8)).policy()).isEqualTo(policy);
	}

	@Test
	void overlayOutputCompilesToTheMergedPolicy() throws Exception {
		Policy base = PolicyFixtures.parse("secure-streams__minimal-secure-streams-staticpolicy__static-policy.json");
		String fragment = "{\"release\": \"*/\\u000a\", \"s\": [{\"mintest\": {\"retry\": null, \"tls\": false,"
				+ " \"metadata\": [{\"a\\\"b\": \"\"}]}}, {\"new\\u0000\": {\"endpoint\": \"\\ud83d\\ude00\","
				+ " \"port\": 65535, \"timeout_ms\": 2147483647}}]}";
		Policy merged = new PolicyParser().parseOverlay("fragment", fragment.getBytes(StandardCharsets.UTF_8), base)
			.policy();
		String json = new PolicyJsonWriter().write(merged, false);
		Policy printed = new PolicyParser().parse("json", json.getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(printed).isEqualTo(merged);
		String source = this.generator.generate(printed, "p", "Merged");
		assertThat(InMemoryCompiler.policy("p.Merged", source)).isEqualTo(merged);
	}

}
