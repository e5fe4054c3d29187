package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import io.securestreams.policy.tool.PolicyTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trust store's name is not repeated for each entry of its stack: the reader and the validator
 * located every entry by a path that held the name, so a store named with 50,000 characters
 * (Jackson's limit for a key) and 20,000 entries, a document of some 130 KB, took 2 GB of paths.
 * Entries are located by index and their paths formatted only for a problem.
 */
class TrustStoreLongNameTests {

	private static final String CERT = Base64.getEncoder()
		.encodeToString(
				PolicyFixtures.parse("server__hello_world__example-policy.json").certs().get("isrg_root_x2").der());

	private static final String NAME = "t".repeat(50_000);

	@TempDir
	Path temp;

	@Test
	void longNamedStoreOfManyEntriesParsesInASmallHeap() throws Exception {
		StringBuilder json = new StringBuilder("{\"certs\": [{\"c\": \"" + CERT + "\"}], \"trust_stores\": [{\"" + NAME
				+ "\": [\"c\"");
		json.append(", \"c\"".repeat(20_000)).append("]}]}");
		Path file = Files.writeString(this.temp.resolve("policy.json"), json, StandardCharsets.UTF_8);
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-Xmx128m", "-XX:-HeapDumpOnOutOfMemoryError", "-cp",
				System.getProperty("java.class.path"), PolicyTool.class.getName(), "validate", file.toString())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(output).startsWith("OK " + file + ": 0 streamtypes, 0 retry policies, 1 trust stores");
		assertThat(process.exitValue()).isZero();
	}

	@Test
	void entryOfALongNamedStoreIsLocatedByItsIndex() {
		String line = "\"trust_stores\": [{\"" + NAME + "\": [\"c\", \"c\", \"c\", \"missing\"]}]}";
		// The path shortens the name, as every path does (PathStackTests).
		assertThat(ParsedProblems.of("{\"certs\": [{\"c\": \"" + CERT + "\"}],\n" + line)).containsExactly(
				"t.json:2:" + (line.indexOf("\"missing\"") + 1) + ": trust_stores[0]." + "t".repeat(61)
						+ "...[3]: no entry named 'missing' in certs");
		String longForm = "{\"certs\": [{\"c\": \"" + CERT + "\"}],\n\"trust_stores\": [{\"name\": \"" + NAME
				+ "\", \"stack\": [\"c\", 5,\n\"missing\"]}]}";
		assertThat(ParsedProblems.of(longForm)).containsExactly(
				"t.json:2:" + (NAME.length() + 46)
						+ ": trust_stores[0].stack[1]: expected the name of a certs entry, got 5");
		assertThat(ParsedProblems.of(longForm.replace(" 5,", " \"c\","))).containsExactly(
				"t.json:3:1: trust_stores[0].stack[2]: no entry named 'missing' in certs");
	}

}
