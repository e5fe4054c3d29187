package io.securestreams.policy.tool;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import io.securestreams.policy.Policy;
import io.securestreams.policy.TrustStore;
import io.securestreams.policy.json.PolicyParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated Java compiles however many entries a valid policy holds outside its streamtypes and
 * however long its lists are: every method must stay below the JVM's 64 KB of code.
 */
class JavaSourceGeneratorSizeTests {

	private final JavaSourceGenerator generator = new JavaSourceGenerator();

	private static Policy parse(String json) {
		return new PolicyParser().parse("json", json.getBytes(StandardCharsets.UTF_8)).policy();
	}

	@Test
	void thousandsOfRetrySchemesCompile() throws Exception {
		StringJoiner retry = new StringJoiner(", ", "{\"retry\": [", "]}");
		for (int i = 0; i < 3000; i++) {
			retry.add("{\"r" + i + "\": {\"backoff\": [" + i + "], \"conceal\": 1, \"jitterpc\": 20}}");
		}
		Policy policy = parse(retry.toString());
		assertThat(InMemoryCompiler.policy("p.Retries", this.generator.generate(policy, "p", "Retries")))
			.isEqualTo(policy);
	}

	@Test
	void aBackoffOfThousandsOfDelaysCompiles() throws Exception {
		StringJoiner backoff = new StringJoiner(", ", "{\"retry\": [{\"long\": {\"backoff\": [", "]}}]}");
		for (int i = 0; i < 20000; i++) {
			backoff.add(String.valueOf(100_000 + i));
		}
		Policy policy = parse(backoff.toString());
		assertThat(InMemoryCompiler.policy("p.Backoff", this.generator.generate(policy, "p", "Backoff")))
			.isEqualTo(policy);
	}

	@Test
	void aTrustStoreOfThousandsOfAwkwardNamesCompiles() throws Exception {
		List<String> names = new ArrayList<>();
		for (int i = 0; i < 10000; i++) {
			names.add(i + ":\"\\\u00e9\uD83D\uDE00*/\n" + ":".repeat(i % 3));
		}
		names.add("");
		Policy policy = new Policy(null, null, null, null, Map.of(), Map.of(),
				Map.of("ts", new TrustStore("ts", names)), Map.of(), List.of(), Map.of());
		Policy built = InMemoryCompiler.policy("p.Names", this.generator.generate(policy, "p", "Names"));
		assertThat(built).isEqualTo(policy);
	}

}
