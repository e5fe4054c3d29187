package io.securestreams.policy.tool;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.lang.model.SourceVersion;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.json.ParsedPolicy;
import io.securestreams.policy.json.PolicyJsonWriter;
import io.securestreams.policy.json.PolicyParser;

/**
 * The policy tool, run as {@code java -jar policy-tool.jar COMMAND ...}:
 * <ul>
 * <li>{@code validate FILE...} checks policies and prints one {@code OK} line per valid file or
 * each problem as {@code FILE:LINE:COL: PATH: MESSAGE};</li>
 * <li>{@code to-java FILE --package P --class C} prints a Java class whose
 * {@code public static Policy policy()} builds the policy without JSON parsing (the
 * counterpart of lws's {@code policy2c});</li>
 * <li>{@code overlay BASE FRAGMENT} prints the canonical JSON of the base with the overlay
 * applied.</li>
 * </ul>
 * Exit codes: 0 success, 1 an invalid or unreadable policy or output that could not be written, 2 a
 * usage error. Results go to standard output, problems to standard error.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyTool {

	static final String USAGE = String.join("\n", "usage: policy-tool COMMAND ...",
			"  validate FILE...                          check policies",
			"  to-java FILE --package PKG --class NAME   print Java source that builds the policy",
			"  overlay BASE FRAGMENT                     print BASE with the overlay FRAGMENT applied", "");

	// Identifiers that are not keywords but cannot name a type (JLS 3.9).
	private static final Set<String> RESTRICTED_TYPE_NAMES = Set.of("var", "yield", "record", "sealed", "permits");

	private static final Set<String> OBSCURING_NAMES = Set.of("java", "io", "io.securestreams",
			"io.securestreams.policy");

	private final PolicyParser parser = new PolicyParser();

	/**
	 * Runs the tool and exits with its exit code.
	 * @param args the command line
	 */
	public static void main(String[] args) {
		// The tool reports problems itself; SLF4J would only add a "no provider" notice.
		if (System.getProperty("slf4j.internal.verbosity") == null) {
			System.setProperty("slf4j.internal.verbosity", "ERROR");
		}
		// JSON is UTF-8 (RFC 8259): System.out follows the locale and in the C locale would print
		// every non-ASCII character of an overlay's output as '?'.
		PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
		int exit = new PolicyTool().run(args, out, System.err);
		out.flush();
		System.exit(exit);
	}

	/**
	 * Runs one command.
	 * @param args the command and its arguments
	 * @param out where results go
	 * @param err where problems and usage go
	 * @return the exit code: 0 success, 1 invalid or unreadable policy or unwritable output, 2 usage error
	 */
	public int run(String[] args, PrintStream out, PrintStream err) {
		int exit = command(args, out, err);
		// A PrintStream keeps its write errors to itself: "to-java ... > StaticPolicy.java" on a full
		// disk, or into a closed pipe, ended with status 0 and a truncated or empty class.
		if (out.checkError()) {
			err.println("policy-tool: cannot write the output (disk full, or the reading end closed)");
			return 1;
		}
		return exit;
	}

	private int command(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0) {
			return usage(err, "no command given");
		}
		List<String> rest = Arrays.asList(args).subList(1, args.length);
		try {
			return switch (args[0]) {
				case "validate" -> rest.isEmpty() ? usage(err, "validate needs at least one FILE")
						: validate(rest, out, err);
				case "to-java" -> toJava(rest, out, err);
				case "overlay" -> (rest.size() != 2) ? usage(err, "overlay needs BASE and FRAGMENT")
						: overlay(rest, out, err);
				case "help", "--help", "-h" -> {
					out.print(USAGE);
					yield 0;
				}
				default -> usage(err, "unknown command '" + args[0] + "'");
			};
		}
		catch (PolicyException ex) {
			ex.problems().forEach((problem) -> err.println(problem.format()));
			return 1;
		}
		catch (UncheckedIOException ex) {
			err.println(ex.getMessage() + ": " + describe(ex.getCause()));
			return 1;
		}
	}

	private int validate(List<String> files, PrintStream out, PrintStream err) {
		int exit = 0;
		for (String file : files) {
			try {
				Policy policy = parse(file, err).policy();
				out.println("OK " + file + ": " + policy.streamTypes().size() + " streamtypes, " + policy.retry().size()
						+ " retry policies, " + policy.trustStores().size() + " trust stores");
			}
			catch (PolicyException ex) {
				ex.problems().forEach((problem) -> err.println(problem.format()));
				exit = 1;
			}
			catch (UncheckedIOException ex) {
				err.println(ex.getMessage() + ": " + describe(ex.getCause()));
				exit = 1;
			}
		}
		return exit;
	}

	private int toJava(List<String> args, PrintStream out, PrintStream err) {
		String file = null;
		String packageName = null;
		String className = null;
		for (int i = 0; i < args.size(); i++) {
			String arg = args.get(i);
			boolean option = arg.equals("--package") || arg.equals("--class");
			// "--package --class C" forgot the package: taking "--class" for it blamed "C".
			if (option && (i + 1 == args.size() || args.get(i + 1).equals("--package")
					|| args.get(i + 1).equals("--class"))) {
				return usage(err, "'" + arg + "' needs a value");
			}
			if (option) {
				if ((arg.equals("--package") ? packageName : className) != null) {
					return usage(err, "'" + arg + "' given twice");
				}
				if (arg.equals("--package")) {
					packageName = args.get(++i);
				}
				else {
					className = args.get(++i);
				}
			}
			else if (file == null && !arg.startsWith("--")) {
				file = arg;
			}
			else {
				return usage(err, "unexpected argument '" + arg + "'");
			}
		}
		if (file == null || packageName == null || className == null) {
			return usage(err, "to-java needs FILE, --package and --class");
		}
		if (packageName.equals("io.securestreams") || packageName.startsWith("io.securestreams.")) {
			// A class there may be one the generated source builds the policy with (Policy,
			// RetryPolicy, ...): javac then reads the generated class in its place and fails.
			return usage(err, "'" + packageName + "' is a package of the Secure Streams library; give --package "
					+ "one of the application's");
		}
		if (!validNames(packageName, className)) {
			return usage(err, "'" + packageName + "' / '" + className + "' is not a valid Java package / class name");
		}
		out.print(new JavaSourceGenerator().generate(parse(file, err).policy(), packageName, className));
		return 0;
	}

	private static boolean validNames(String packageName, String className) {
		String qualified = packageName.isEmpty() ? className : packageName + "." + className;
		return (packageName.isEmpty() || SourceVersion.isName(packageName)) && SourceVersion.isIdentifier(className)
				&& !SourceVersion.isKeyword(className) && !RESTRICTED_TYPE_NAMES.contains(className)
				// The JVM refuses to load classes of java.* that are not the JDK's own.
				&& !packageName.equals("java") && !packageName.startsWith("java.")
				// A class named like these would obscure the packages the generated source names.
				&& !OBSCURING_NAMES.contains(className) && !OBSCURING_NAMES.contains(qualified);
	}

	private int overlay(List<String> args, PrintStream out, PrintStream err) {
		Policy base = parse(args.get(0), err).policy();
		Path fragment = Path.of(args.get(1));
		byte[] json = PolicyParser.readFile(fragment);
		ParsedPolicy merged = this.parser.parseOverlay(fragment.toString(), json, base);
		printWarnings(merged, err);
		out.print(new PolicyJsonWriter().write(merged.policy(), false));
		out.println();
		return 0;
	}

	private ParsedPolicy parse(String file, PrintStream err) {
		ParsedPolicy parsed = this.parser.parse(Path.of(file));
		printWarnings(parsed, err);
		return parsed;
	}

	private static void printWarnings(ParsedPolicy parsed, PrintStream err) {
		parsed.warnings().stream().map(PolicyProblem::format).forEach(err::println);
	}

	private static String describe(Throwable cause) {
		String type = cause.getClass().getSimpleName();
		return switch (type) {
			case "NoSuchFileException" -> "no such file";
			case "AccessDeniedException" -> "permission denied";
			default -> (cause.getMessage() != null) ? cause.getMessage() : type;
		};
	}

	private static int usage(PrintStream err, String problem) {
		err.println("policy-tool: " + problem);
		err.print(USAGE);
		return 2;
	}

}
