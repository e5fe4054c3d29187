package io.securestreams.policy.tool;

import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyFixtures;
import io.securestreams.policy.json.RandomPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated Java compiles and builds a policy equal to the parsed one.
 */
class JavaSourceGeneratorTests {

	private final JavaSourceGenerator generator = new JavaSourceGenerator();

	static List<String> fixtures() {
		return PolicyFixtures.names();
	}

	@ParameterizedTest
	@MethodSource("fixtures")
	void fixtureCompilesToAnEqualPolicy(String name) throws Exception {
		Policy policy = PolicyFixtures.parse(name);
		String source = this.generator.generate(policy, "generated.policies", "StaticPolicy");
		assertThat(source).doesNotContain("JsonParser").doesNotContain("PolicyParser");
		assertThat(InMemoryCompiler.policy("generated.policies.StaticPolicy", source)).isEqualTo(policy);
	}

	@Test
	void streamtypesBeyondOneClassFilesConstantPoolCompile() throws Exception {
		// Their names, values and methods need more than the 65535 constants one class file holds.
		Policy policy = new RandomPolicies(7).policy(5000);
		String source = this.generator.generate(policy, "", "Huge");
		Policy built = InMemoryCompiler.policy("Huge", source);
		assertThat(built).isEqualTo(policy);
		assertThat(List.copyOf(built.streamTypes().keySet())).isEqualTo(List.copyOf(policy.streamTypes().keySet()));
	}

	@Test
	void randomPoliciesWithAwkwardStringsCompile() throws Exception {
		RandomPolicies random = new RandomPolicies(11);
		for (int i = 0; i < 3; i++) {
			Policy policy = random.policy(20);
			assertThat(InMemoryCompiler.policy("p.Random" + i, this.generator.generate(policy, "p", "Random" + i)))
				.isEqualTo(policy);
		}
	}

	@ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(strings = { "String", "Object" })
	void classNamedLikeAJavaLangTypeCompiles(String className) throws Exception {
		// The generated source must not rely on simple names the class itself could shadow.
		Policy policy = PolicyFixtures.parse("server__hello_world__example-policy.json");
		String source = this.generator.generate(policy, "p", className);
		assertThat(InMemoryCompiler.policy("p." + className, source)).isEqualTo(policy);
	}

	@Test
	void aClassNamedInAnotherScriptIsWrittenInAscii() throws Exception {
		// The names went into the source as they were, so an accented class name printed UTF-8 that javac on
		// Java 17 reads in the locale's encoding and, in the C locale, refuses as unmappable.
		Policy policy = PolicyFixtures.parse("server__hello_world__example-policy.json");
		String source = this.generator.generate(policy, "pol\u00edticas", "Pol\u00edtica\u4e2d");
		assertThat(source.chars().allMatch((c) -> c < 0x80)).as(source).isTrue();
		assertThat(InMemoryCompiler.policy("pol\u00edticas.Pol\u00edtica\u4e2d", source)).isEqualTo(policy);
	}

	@Test
	void literalsEscapeEverythingJavacWouldMisread() {
		assertThat(JavaLiterals.quote("a\"b\\c\nd\re\tf\u0001g\u2028h\u00e9")).isEqualTo(
				"\"a\\\"b\\\\c\\nd\\re\\tf\\001g\\u2028h\\u00e9\"");
	}

	@Test
	void stringsLongerThanAClassFileConstantCompile() throws Exception {
		String huge = "\u00e9".repeat(40_000);
		Policy policy = Policy.empty().toFragment().release(huge).build();
		String source = this.generator.generate(policy, "p", "Huge");
		assertThat(source.contains("String.join(")).isTrue();
		Policy built = InMemoryCompiler.policy("p.Huge", source);
		assertThat(built.release().equals(huge)).isTrue();
	}

}
