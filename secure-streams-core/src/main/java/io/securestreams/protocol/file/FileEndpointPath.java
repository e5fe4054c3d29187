package io.securestreams.protocol.file;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import io.securestreams.metadata.MetadataTemplate;

/**
 * The path a {@code file://} endpoint names, checked against the policy's template it was expanded
 * from. Metadata substituted into the path may name files below the directories the template
 * allows, but may not climb out of them: a {@code ..} segment in the expanded path that the
 * template does not hold itself is refused. Metadata can come from less trusted code than the
 * policy (another process, through the proxy), and libwebsockets does not check this.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class FileEndpointPath {

	private static final String SCHEME = "file://";

	private FileEndpointPath() {
	}

	/**
	 * Returns the path an expanded endpoint names.
	 * @param template the policy's endpoint, before metadata substitution
	 * @param endpoint the endpoint after substitution, starting with {@code file://}
	 * @return the path
	 * @throws IllegalArgumentException if the endpoint names no path, a path the platform cannot
	 * represent, or a parent segment that metadata brought in
	 */
	static Path of(String template, String endpoint) {
		String name = endpoint.substring(SCHEME.length());
		if (name.isEmpty()) {
			throw new IllegalArgumentException("endpoint \"" + endpoint + "\" names no file");
		}
		// Substitution never changes the template's own text, so a '..' segment written there
		// is still one afterwards: any more were brought in by a metadata value. A '..' inside a
		// ${...} name is not the template's: it is replaced like the rest of the name.
		if (parentSegments(name) > parentSegments(MetadataTemplate.expand(template, (any) -> "_", (any) -> true))) {
			throw new IllegalArgumentException("metadata substituted into \"" + template
					+ "\" gives the path \"" + name + "\", which climbs out with a '..' segment");
		}
		try {
			return Path.of(name);
		}
		catch (InvalidPathException ex) {
			throw new IllegalArgumentException("endpoint \"" + endpoint + "\" is not a valid path: " + ex.getReason());
		}
	}

	/** Counts the segments that are exactly {@code ..}, separated by '/' or the platform's separator. */
	static int parentSegments(String path) {
		int count = 0;
		int start = 0;
		for (int i = 0; i <= path.length(); i++) {
			if (i == path.length() || isSeparator(path.charAt(i))) {
				if (i - start == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
					count++;
				}
				start = i + 1;
			}
		}
		return count;
	}

	private static boolean isSeparator(char c) {
		return c == '/' || c == java.io.File.separatorChar;
	}

}
