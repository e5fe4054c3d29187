package io.securestreams.proxy;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the command line of {@link ProxyMain} asked for, and how it is read: each problem is named
 * with the option and the value as the user wrote them, followed by the usage.
 *
 * @param policy the policy file
 * @param address where to listen
 * @author Secure Streams contributors
 * @since 0.1.0
 */
record ProxyOptions(Path policy, ProxyAddress address) {

	// The options that take a value (all of them), so that an unknown one is named as such
	// rather than as one missing its value.
	private static final Set<String> OPTIONS = Set.of("--policy", "--uds", "--abstract", "--tcp");

	static final String USAGE = "usage: java -jar ss-proxy.jar --policy FILE"
			+ " [--uds PATH | --abstract NAME | --tcp HOST:PORT]\n"
			+ "  --policy FILE     the Secure Streams policy JSON the proxy fulfils streams with\n"
			+ "  --uds PATH        listen on a Unix socket file (clients use +PATH)\n"
			+ "  --abstract NAME   listen on a Linux abstract socket (default proxy.ss.lws; clients use +@NAME;\n"
			+ "                    NAME, @NAME and +@NAME name the same socket)\n"
			+ "  --tcp HOST:PORT   listen on TCP (clients use HOST:PORT; an IPv6 address as [::1]:PORT)";

	/**
	 * Returns whether the command line asks for the usage ({@code -h} or {@code --help}), which is
	 * printed to the standard output with exit status 0, not as a usage error.
	 * @param args the arguments
	 * @return {@code true} when an argument asks for help
	 */
	static boolean wantsHelp(String[] args) {
		for (String arg : args) {
			if (arg.equals("-h") || arg.equals("--help")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Parses the command line, printing the usage and the problem on errors.
	 * @param args the arguments
	 * @param err where problems go
	 * @return the options, or {@code null} after a usage error
	 */
	static @Nullable ProxyOptions parse(String[] args, PrintStream err) {
		Path policy = null;
		ProxyAddress address = null;
		try {
			for (int i = 0; i < args.length; i++) {
				String option = args[i];
				if (option.equals("-h") || option.equals("--help")) {
					err.println(USAGE);
					return null;
				}
				if (!OPTIONS.contains(option)) {
					throw new IllegalArgumentException(option.startsWith("-") ? "unknown option '" + option + "'"
							: "unexpected argument '" + option + "'");
				}
				// "--policy --tcp 127.0.0.1:1" forgot the file: taking "--tcp" for it blamed the address.
				if (i + 1 >= args.length || OPTIONS.contains(args[i + 1])) {
					throw new IllegalArgumentException(option + " needs a value");
				}
				String value = args[++i];
				switch (option) {
					case "--policy" -> {
						// The last one would silently win.
						if (policy != null) {
							throw new IllegalArgumentException("--policy given twice");
						}
						policy = Path.of(value);
					}
					default -> address = listenOnce(address, address(option, value));
				}
			}
			if (policy == null) {
				throw new IllegalArgumentException("--policy FILE is required");
			}
			if (Files.isDirectory(policy)) {
				throw new IllegalArgumentException(policy + " is a directory, not a policy file");
			}
			// Not isRegularFile: a policy given as a pipe (--policy <(...) or /dev/stdin) exists and
			// is read like a file, as the policy tool and libwebsockets' proxy read it.
			if (!Files.exists(policy)) {
				throw new IllegalArgumentException("policy file " + policy + " does not exist");
			}
		}
		catch (IllegalArgumentException ex) {
			err.println("ss-proxy: " + ex.getMessage());
			err.println(USAGE);
			return null;
		}
		return new ProxyOptions(policy, (address != null) ? address : ProxyAddress.DEFAULT);
	}

	/**
	 * Reads the value of {@code --uds}, {@code --abstract} or {@code --tcp}; a problem is named
	 * with the option and the value, as the user wrote them.
	 */
	private static ProxyAddress address(String option, String value) {
		ProxyAddress address;
		try {
			address = switch (option) {
				case "--uds" -> new ProxyAddress(ProxyAddress.Kind.PATH, socketPath(value), 0);
				case "--abstract" -> new ProxyAddress(ProxyAddress.Kind.ABSTRACT, abstractName(value), 0);
				default -> (value.indexOf(':') >= 0 || value.startsWith("[")) ? ProxyAddress.parse(value) : null;
			};
		}
		catch (IllegalArgumentException ex) {
			String message = String.valueOf(ex.getMessage());
			String prefix = "proxy address '" + value + "'";
			throw new IllegalArgumentException(option + " '" + value + "'" + (message.startsWith(prefix)
					? message.substring(prefix.length()) : ": " + message), ex);
		}
		// "+@x" or "./path:1" would otherwise listen on the Unix socket a client would take it for.
		if (address == null || (address.kind() != ProxyAddress.Kind.TCP && option.equals("--tcp"))) {
			throw new IllegalArgumentException("--tcp needs HOST:PORT, got '" + value + "'");
		}
		return address;
	}

	/**
	 * A path is taken as written (a socket file may be named {@code +x.sock}), but one whose
	 * leading {@code +} makes its directory one that does not exist is the client's form of the
	 * address ({@code +/run/ss.sock}) copied over: the bind would fail naming {@code ++/run/ss.sock}.
	 */
	private static String socketPath(String value) {
		if (value.startsWith("+")) {
			Path parent = Path.of(value).toAbsolutePath().getParent();
			if (parent != null && !Files.isDirectory(parent)) {
				throw new IllegalArgumentException("the leading '+' marks a Unix socket only in a client's address; "
						+ "give the path itself (" + value.substring(1) + ")");
			}
		}
		return value;
	}

	/**
	 * The name on the wire has neither of the prefixes, but users copy the address clients give
	 * ({@code +@name}) or the one libwebsockets' proxy takes ({@code @name}): {@code +@name} was
	 * kept whole, a socket no client reaches.
	 */
	private static String abstractName(String value) {
		if (value.startsWith("+@")) {
			return value.substring(2);
		}
		return value.startsWith("@") ? value.substring(1) : value;
	}

	private static ProxyAddress listenOnce(@Nullable ProxyAddress previous, ProxyAddress next) {
		if (previous != null) {
			throw new IllegalArgumentException("give only one of --uds, --abstract and --tcp");
		}
		return next;
	}

}
