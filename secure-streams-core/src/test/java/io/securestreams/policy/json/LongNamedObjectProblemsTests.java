package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.securestreams.policy.tool.PolicyTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Problems inside an object with a very long name do not each repeat the name whole: a
 * streamtype named with 50,000 characters (Jackson's limit for a key) holding 20,000 repeated
 * keys, some 270 KB of JSON, gave 20,000 paths of 50,000 characters (1 GB; a 4 MiB overlay could
 * ask for 20 GB), so an invalid document ended in an OutOfMemoryError instead of its errors.
 */
class LongNamedObjectProblemsTests {

	@TempDir
	Path temp;

	@Test
	void repeatedKeysOfALongNamedStreamtypeAreReportedInASmallHeap() throws Exception {
		String name = "n".repeat(50_000);
		String json = "{\"s\": [{\"" + name + "\": {\"endpoint\": \"e\", \"port\": 1" + ", \"port\": 1".repeat(20_000)
				+ "}}]}";
		Path file = Files.writeString(this.temp.resolve("policy.json"), json, StandardCharsets.UTF_8);
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-Xmx128m", "-XX:-HeapDumpOnOutOfMemoryError", "-cp",
				System.getProperty("java.class.path"), PolicyTool.class.getName(), "validate", file.toString())
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		List<String> errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines()
			.toList();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isEqualTo(1);
		// Every duplicate is found; the first hundred are listed.
		assertThat(errors).hasSize(101);
		assertThat(errors.get(100)).isEqualTo(file + ": 19900 more errors not listed");
		int column = json.indexOf("\"port\": 1, \"port\"") + 11;
		assertThat(errors.get(0)).isEqualTo(file + ":1:" + (column + 1) + ": s[0]." + "n".repeat(61)
				+ "....port: duplicate key 'port' in one object (first at line 1)");
	}

}
