package io.securestreams.policy.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads libwebsockets Secure Streams policy JSON, and overlays over a policy.
 * <p>
 * The reader accepts what real lws policies contain (trailing commas, any key order that
 * defines names before using them, both trust store forms, deprecated keys with a warning) and
 * is strict where the C parser is sloppy: unknown keys, wrong types, out-of-range numbers,
 * forward and dangling references, duplicate names and undecodable certificates are errors.
 * Every error of a document is reported at once, each located as
 * {@code FILE:LINE:COL: PATH: MESSAGE} (see {@link PolicyProblem#format()}).
 * <p>
 * Instances are stateless and thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class PolicyParser {

	private static final Logger logger = LoggerFactory.getLogger(PolicyParser.class);

	/** The most a policy file read by {@link #parse(Path)} may hold: 64 MiB. */
	public static final int MAX_FILE_BYTES = 64 * 1024 * 1024;

	/**
	 * Parses a whole policy.
	 * @param sourceName the name used in problems, usually the file name
	 * @param json the policy JSON (UTF-8)
	 * @return the validated policy and its warnings
	 * @throws PolicyException with every error of the document
	 */
	public ParsedPolicy parse(String sourceName, byte[] json) {
		return read(sourceName, json, Policy.empty());
	}

	/**
	 * Parses a policy file.
	 * @param file the file
	 * @return the validated policy and its warnings
	 * @throws PolicyException with every error of the document
	 * @throws UncheckedIOException if the file cannot be read
	 */
	public ParsedPolicy parse(Path file) {
		return parse(file.toString(), readFile(file));
	}

	/**
	 * Reads a policy or overlay file of at most {@link #MAX_FILE_BYTES}: a path may name a pipe
	 * or a device ({@code /dev/zero}) that never ends, which must fail and not fill the heap.
	 * @param file the file
	 * @return its bytes
	 * @throws UncheckedIOException if the file cannot be read or is larger
	 */
	public static byte[] readFile(Path file) {
		return readFile(file, MAX_FILE_BYTES);
	}

	static byte[] readFile(Path file, int maxBytes) {
		try (InputStream in = Files.newInputStream(file)) {
			byte[] json = in.readNBytes(maxBytes + 1);
			if (json.length > maxBytes) {
				throw new IOException("it is larger than " + maxBytes + " bytes, far more than a policy needs");
			}
			return json;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read policy file " + file, ex);
		}
	}

	/**
	 * Parses an overlay and merges it over a policy (see {@link io.securestreams.policy.PolicyFragment}
	 * for the merge rules). The overlay may refer to entries of the base.
	 * @param sourceName the name used in problems
	 * @param json the overlay JSON (UTF-8), shaped like a policy
	 * @param base the policy to apply it to
	 * @return the merged, validated policy and the overlay's warnings
	 * @throws PolicyException with every error; problems about values only the base holds have the
	 * source {@code <base policy>} and a logical path
	 */
	public ParsedPolicy parseOverlay(String sourceName, byte[] json, Policy base) {
		return read(sourceName, json, base);
	}

	/**
	 * Locates problems found in a parsed policy after parsing, as the parser locates its own: a
	 * check of the running context (two streamtypes sharing an MQTT connection that an overlay
	 * made disagree, say) reports a logical path such as {@code s.alpha}, and the document that
	 * changed it says where that is.
	 * @param sourceName the name used in problems
	 * @param json the document the policy was parsed from (UTF-8)
	 * @param base the policy the document was applied to ({@link Policy#empty()} for a whole policy)
	 * @param problems the problems to locate
	 * @return the problems: each without a line whose path names a value of the document has the
	 * document's source, line, column and path; the others are unchanged
	 */
	public List<PolicyProblem> locate(String sourceName, byte[] json, Policy base, List<PolicyProblem> problems) {
		return DocumentReader.locate(sourceName, json, base, problems);
	}

	private static ParsedPolicy read(String sourceName, byte[] json, Policy base) {
		ParsedPolicy parsed = DocumentReader.read(sourceName, json, base);
		for (PolicyProblem warning : parsed.warnings()) {
			logger.warn("Policy {}", warning.format());
		}
		return parsed;
	}

}
