package io.securestreams.policy.tool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyFixtures;
import io.securestreams.policy.json.PolicyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyToolTests {

	private static final String STATIC = "secure-streams__minimal-secure-streams-staticpolicy__static-policy.json";

	private static final String BINANCE = "client__binance__example-policy.json";

	@TempDir
	Path temp;

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private int run(String... args) {
		return new PolicyTool().run(args, new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8));
	}

	private String out() {
		return this.out.toString(StandardCharsets.UTF_8);
	}

	private String err() {
		return this.err.toString(StandardCharsets.UTF_8);
	}

	private static String fixture(String name) {
		return PolicyFixtures.directory().resolve(name).toString();
	}

	private Path write(String name, String json) throws IOException {
		return Files.writeString(this.temp.resolve(name), json);
	}

	@Test
	void validateReportsEachValidFile() {
		assertThat(run("validate", fixture(BINANCE), fixture(STATIC))).isZero();
		assertThat(out()).isEqualTo("OK " + fixture(BINANCE) + ": 1 streamtypes, 1 retry policies, 1 trust stores\n"
				+ "OK " + fixture(STATIC) + ": 11 streamtypes, 1 retry policies, 4 trust stores\n");
		assertThat(err()).contains(fixture(STATIC) + ":50:4: s[0].api_amazon_com_auth.plugins: warning: 'plugins' is "
				+ "deprecated and ignored");
	}

	@Test
	void validatePrintsEveryErrorOfAnInvalidFile() throws IOException {
		Path bad = write("bad.json", "{\"s\": [{\"st\": {\"port\": \"443\",\n\"tls\": 1}}]}");
		assertThat(run("validate", bad.toString(), fixture(BINANCE))).isEqualTo(1);
		assertThat(err()).isEqualTo(bad + ":1:24: s[0].st.port: expected an integer 0..65535, got a string \"443\"\n"
				+ bad + ":2:8: s[0].st.tls: expected true or false, got 1\n");
		assertThat(out()).startsWith("OK " + fixture(BINANCE));
	}

	@Test
	void validateReportsUnreadableFiles() {
		Path missing = this.temp.resolve("missing.json");
		assertThat(run("validate", missing.toString())).isEqualTo(1);
		assertThat(err()).isEqualTo("cannot read policy file " + missing + ": no such file\n");
		assertThat(run("validate", this.temp.toString())).isEqualTo(1);
	}

	@Test
	void validateNamesEachBadFileAndChecksTheRest() throws IOException {
		Path empty = write("empty.json", "");
		Path latin1 = Files.write(this.temp.resolve("latin1.json"),
				"{\"release\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
		assertThat(run("validate", empty.toString(), this.temp.toString(), latin1.toString(), fixture(BINANCE)))
			.isEqualTo(1);
		assertThat(err()).isEqualTo(empty + ":1:1: empty document; expected a policy object\n"
				+ "cannot read policy file " + this.temp + ": Is a directory\n" + latin1
				+ ":1:18: release: invalid UTF-8: byte 0xE9 does not start a well-formed UTF-8 sequence\n");
		assertThat(out()).isEqualTo("OK " + fixture(BINANCE) + ": 1 streamtypes, 1 retry policies, 1 trust stores\n");
	}

	@Test
	void usageErrorsExitWithTwo() {
		assertThat(run()).isEqualTo(2);
		assertThat(err()).startsWith("policy-tool: no command given\nusage: policy-tool COMMAND");
		assertThat(run("frobnicate")).isEqualTo(2);
		assertThat(run("validate")).isEqualTo(2);
		assertThat(run("overlay", "one")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "--package", "p")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "--package", "p", "--class", "class")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "--package", "1p", "--class", "C")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "extra", "--package", "p", "--class", "C")).isEqualTo(2);
		// Names that would obscure the java and io packages the generated source uses.
		assertThat(run("to-java", fixture(BINANCE), "--package", "p", "--class", "java")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "--package", "p", "--class", "io")).isEqualTo(2);
		assertThat(out()).isEmpty();
	}

	@Test
	void toJavaRefusesNamesJavacWouldRefuse() {
		// Restricted identifiers cannot name a class; java.* belongs to the JDK; io.securestreams
		// and io.securestreams.policy as classes would hide the packages the generated source uses.
		for (String className : new String[] { "var", "yield", "record", "sealed", "permits" }) {
			assertThat(run("to-java", fixture(BINANCE), "--package", "p", "--class", className)).isEqualTo(2);
			assertThat(err()).contains("'" + className + "'");
		}
		assertThat(run("to-java", fixture(BINANCE), "--package", "java.policies", "--class", "C")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "--package", "io", "--class", "securestreams")).isEqualTo(2);
		assertThat(run("to-java", fixture(BINANCE), "--package", "io.securestreams", "--class", "policy"))
			.isEqualTo(2);
		// A repeated option would otherwise silently win over the first.
		assertThat(run("to-java", fixture(BINANCE), "--package", "p", "--class", "C", "--class", "D")).isEqualTo(2);
		assertThat(err()).contains("'--class'");
		assertThat(out()).isEmpty();
	}

	@Test
	void toJavaRefusesTheLibrarysOwnPackages() {
		// io.securestreams.policy.Policy printed a class that took the place of the Policy it
		// builds, and javac refused it ("constructor Policy in class Policy cannot be applied").
		for (String[] name : new String[][] { { "io.securestreams.policy", "Policy" },
				{ "io.securestreams.policy", "RetryPolicy" }, { "io.securestreams", "StaticPolicy" } }) {
			this.err.reset();
			assertThat(run("to-java", fixture(BINANCE), "--package", name[0], "--class", name[1])).isEqualTo(2);
			assertThat(err()).startsWith("policy-tool: '" + name[0] + "' is a package of the Secure Streams library");
			assertThat(out()).isEmpty();
		}
	}

	@Test
	void outputThatCannotBeWrittenFailsTheCommand() {
		// As "> /dev/full": the class or the OK lines were lost and the status was still 0.
		PrintStream full = new PrintStream(new OutputStream() {
			@Override
			public void write(int b) throws IOException {
				throw new IOException("No space left on device");
			}
		}, true, StandardCharsets.UTF_8);
		PrintStream errors = new PrintStream(this.err, true, StandardCharsets.UTF_8);
		assertThat(new PolicyTool().run(new String[] { "to-java", fixture(STATIC), "--package", "p", "--class", "C" },
				full, errors)).isEqualTo(1);
		assertThat(new PolicyTool().run(new String[] { "validate", fixture(STATIC) }, full, errors)).isEqualTo(1);
		assertThat(err()).contains("policy-tool: cannot write the output");
	}

	@Test
	void anOptionWithoutItsValueIsNamed() {
		// The next option was taken for the value, and the error blamed the argument after it.
		assertThat(run("to-java", fixture(BINANCE), "--package", "--class", "C")).isEqualTo(2);
		assertThat(err()).startsWith("policy-tool: '--package' needs a value");
		this.err.reset();
		assertThat(run("to-java", fixture(BINANCE), "--class", "C", "--package")).isEqualTo(2);
		assertThat(err()).startsWith("policy-tool: '--package' needs a value");
		assertThat(out()).isEmpty();
	}

	@Test
	void helpGoesToStandardOutput() {
		assertThat(run("--help")).isZero();
		assertThat(out()).isEqualTo(PolicyTool.USAGE);
	}

	@Test
	void toJavaPrintsACompilableClass() throws Exception {
		assertThat(run("to-java", fixture(STATIC), "--class", "StaticPolicy", "--package", "com.example.policy"))
			.isZero();
		Policy built = InMemoryCompiler.policy("com.example.policy.StaticPolicy", out());
		assertThat(built).isEqualTo(PolicyFixtures.parse(STATIC));
	}

	@Test
	void toJavaRejectsAnInvalidPolicy() throws IOException {
		Path bad = write("bad.json", "{\"s\": 1}");
		assertThat(run("to-java", bad.toString(), "--package", "p", "--class", "C")).isEqualTo(1);
		assertThat(err()).isEqualTo(bad + ":1:7: s: expected an array of streamtype objects, got 1\n");
		assertThat(out()).isEmpty();
	}

	@Test
	void overlayPrintsTheMergedPolicy() throws IOException {
		Path fragment = write("portal.json", "{\"s\": [{\"captive_portal_detect\": {\"endpoint\": \"google.com\", "
				+ "\"port\": 80, \"http_expect\": null}}]}");
		assertThat(run("overlay", fixture(STATIC), fragment.toString())).isZero();
		Policy merged = new PolicyParser().parse("out", out().getBytes(StandardCharsets.UTF_8)).policy();
		assertThat(merged.streamType("captive_portal_detect").endpoint()).isEqualTo("google.com");
		assertThat(merged.streamType("captive_portal_detect").http().expect()).isNull();
		assertThat(merged.streamType("mintest")).isEqualTo(PolicyFixtures.parse(STATIC).streamType("mintest"));
	}

	@Test
	void overlayPrintsUtf8WhateverTheLocale() throws Exception {
		// JSON is UTF-8; in the C locale System.out would print every non-ASCII character as '?'.
		Path base = Files.writeString(this.temp.resolve("base.json"), "{\"release\": \"caf\u00e9 \uD83D\uDE00\"}",
				StandardCharsets.UTF_8);
		Path fragment = write("fragment.json", "{}");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				PolicyTool.class.getName(), "overlay", base.toString(), fragment.toString())
			.redirectError(ProcessBuilder.Redirect.DISCARD);
		builder.environment().put("LANG", "C");
		builder.environment().put("LC_ALL", "C");
		Process process = builder.start();
		byte[] output = process.getInputStream().readAllBytes();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isZero();
		assertThat(new PolicyParser().parse("out", output).policy().release()).isEqualTo("caf\u00e9 \uD83D\uDE00");
	}

	@Test
	void overlayReportsTheFragmentsErrors() throws IOException {
		Path fragment = write("bad.json", "{\"s\": [{\"mintest\": {\"retry\": \"none\"}}]}");
		assertThat(run("overlay", fixture(STATIC), fragment.toString())).isEqualTo(1);
		assertThat(err()).endsWith(fragment + ":1:30: s[0].mintest.retry: no retry scheme named 'none' in retry\n");
		assertThat(out()).isEmpty();
	}

}
