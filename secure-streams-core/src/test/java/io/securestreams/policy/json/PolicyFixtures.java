package io.securestreams.policy.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.securestreams.policy.Policy;

/**
 * The libwebsockets example policies under {@code fixtures/lws-policies}, with their CMake
 * placeholders substituted, and the streamtypes each one defines.
 */
public final class PolicyFixtures {

	/** The streamtype names each fixture defines. */
	public static final Map<String, Set<String>> STREAMTYPES = Map.ofEntries(
			Map.entry("client__binance__example-policy.json", Set.of("binance")),
			Map.entry("client__hello_world-policy__example-policy.json", Set.of("sx-hello_world")),
			Map.entry("client__hello_world-policy__policy-local.json.in", Set.of("sx-hello_world")),
			Map.entry("client__http-post__example-policy.json", Set.of("minpost")),
			Map.entry("client__http-post__policy-local.json.in", Set.of("minpost")),
			Map.entry("client__ws-echo__example-policy.json", Set.of("sx_ws_echo")),
			Map.entry("client__ws-echo__policy-local.json.in", Set.of("sx_ws_echo")),
			Map.entry("secure-streams__minimal-secure-streams-binance__policy.json", Set.of("binance")),
			Map.entry("secure-streams__minimal-secure-streams-sigv4__policy.json", Set.of("s3PutObj")),
			Map.entry("secure-streams__minimal-secure-streams-staticpolicy__static-policy.json",
					Set.of("api_amazon_com_auth", "avs_event", "avs_metadata", "avs_audio", "mintest", "h2longpolltest",
							"mintest-fail", "minpost", "mqtt_test", "mqtt_test1", "captive_portal_detect")),
			Map.entry("server__hello_world__example-policy.json", Set.of("myserver", "ota")),
			Map.entry("sink__hello_world__example-policy.json", Set.of("sink_hello_world")));

	private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z0-9_]+)@");

	private PolicyFixtures() {
	}

	/**
	 * Returns the directory holding the fixtures.
	 * @return the directory
	 */
	public static Path directory() {
		try {
			return Path.of(PolicyFixtures.class.getResource("/fixtures/lws-policies").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Lists the policy files.
	 * @return file names, sorted
	 */
	public static List<String> names() {
		try (Stream<Path> files = Files.list(directory())) {
			return files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.endsWith(".json") || name.endsWith(".json.in"))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Reads a fixture, substituting {@code @PORT_...@} with a port and other placeholders with
	 * {@code localhost}.
	 * @param name the file name
	 * @return the JSON
	 */
	public static byte[] load(String name) {
		try {
			String text = Files.readString(directory().resolve(name), StandardCharsets.UTF_8);
			Matcher matcher = PLACEHOLDER.matcher(text);
			StringBuilder substituted = new StringBuilder();
			while (matcher.find()) {
				matcher.appendReplacement(substituted, matcher.group(1).startsWith("PORT") ? "4443" : "localhost");
			}
			matcher.appendTail(substituted);
			return substituted.toString().getBytes(StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Parses a fixture.
	 * @param name the file name
	 * @return the policy
	 */
	public static Policy parse(String name) {
		return new PolicyParser().parse(name, load(name)).policy();
	}

}
