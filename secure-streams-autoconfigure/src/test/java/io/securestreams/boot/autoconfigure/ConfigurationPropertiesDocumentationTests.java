package io.securestreams.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.securestreams.policy.StreamTypeKey;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the property table of {@code docs/spring-boot.md} equal to the configuration metadata
 * the annotation processor writes ({@code META-INF/spring-configuration-metadata.json} and, for
 * the types of map values, {@code META-INF/spring/configuration-metadata/*.json}). Run with
 * {@code -Ddocs.update=true} to rewrite the table after changing a property.
 */
class ConfigurationPropertiesDocumentationTests {

	private static final Path DOC = Path.of("..", "docs", "spring-boot.md");

	private static final Path METADATA = Path.of("target", "classes", "META-INF");

	private static final String START = "<!-- properties:start (generated from the configuration metadata; see "
			+ "ConfigurationPropertiesDocumentationTests) -->";

	private static final String END = "<!-- properties:end -->";

	private static final Pattern MAP_OF = Pattern.compile("java\\.util\\.Map<java\\.lang\\.String,([\\w.$]+)>");

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void propertyTableMatchesTheMetadata() throws IOException {
		String doc = Files.readString(DOC);
		int start = doc.indexOf(START);
		int end = doc.indexOf(END);
		assertThat(start).as("the markers in " + DOC).isNotNegative();
		assertThat(end).isGreaterThan(start);
		String expected = doc.substring(0, start + START.length()) + "\n" + table() + doc.substring(end);
		if (Boolean.getBoolean("docs.update")) {
			Files.writeString(DOC, expected);
			return;
		}
		assertThat(doc).as("docs/spring-boot.md's property table is stale: run this test with -Ddocs.update=true")
			.isEqualTo(expected);
	}

	@Test
	void everyStreamTypeKeyHasTheKebabCaseProperty() throws IOException {
		JsonNode streamType = this.json.readTree(METADATA
			.resolve("spring/configuration-metadata/" + SecureStreamsProperties.StreamType.class.getName() + ".json")
			.toFile());
		List<String> properties = new ArrayList<>();
		streamType.get("properties").forEach((property) -> properties.add(property.get("name").asString()));
		List<String> expected = new ArrayList<>();
		for (StreamTypeKey key : StreamTypeKey.values()) {
			expected.add(key.jsonName().replace('_', '-'));
			assertThat(StreamTypePropertyBindings.BINDINGS).containsKey(key);
		}
		assertThat(properties).containsExactlyInAnyOrderElementsOf(expected);
	}

	@Test
	void everyPropertyTheDocsNameIsInTheMetadata() throws IOException {
		// An IDE flags a property missing from the metadata as unknown, and offers no description.
		Set<String> known = new TreeSet<>();
		try (Stream<Path> files = Files.list(METADATA.resolve("spring/configuration-metadata"))) {
			for (Path file : Stream.concat(Stream.of(METADATA.resolve("spring-configuration-metadata.json")), files)
				.toList()) {
				JsonNode metadata = this.json.readTree(file.toFile());
				metadata.path("groups").forEach((group) -> known.add(group.get("name").asString()));
				metadata.path("properties").forEach((property) -> known.add(property.get("name").asString()));
			}
		}
		Pattern named = Pattern
			.compile("`((?:secure-streams|management\\.[a-z]+\\.securestreams[a-z]*)\\.[a-z0-9.-]*)");
		Set<String> undocumented = new TreeSet<>();
		try (Stream<Path> docs = Files.list(DOC.getParent())) {
			for (Path doc : docs.filter((path) -> path.toString().endsWith(".md")).toList()) {
				Matcher matcher = named.matcher(Files.readString(doc));
				while (matcher.find()) {
					String name = matcher.group(1).replaceAll("\\.$", "");
					if (!known.contains(name) && known.stream().noneMatch((entry) -> entry.startsWith(name + "."))) {
						undocumented.add(doc.getFileName() + ": " + name);
					}
				}
			}
		}
		assertThat(undocumented).as("properties the docs name that the metadata lacks").isEmpty();
	}

	private String table() throws IOException {
		JsonNode main = this.json.readTree(METADATA.resolve("spring-configuration-metadata.json").toFile());
		Map<String, String> rows = new TreeMap<>();
		for (JsonNode property : main.get("properties")) {
			String name = property.get("name").asString();
			String type = property.path("type").asString("");
			Matcher map = MAP_OF.matcher(type);
			Path nested = METADATA
				.resolve("spring/configuration-metadata/" + (map.matches() ? map.group(1) : "-") + ".json");
			if (map.matches() && Files.exists(nested)) {
				for (JsonNode child : this.json.readTree(nested.toFile()).get("properties")) {
					String childName = name + ".<name>." + child.get("name").asString();
					rows.put(childName, row(childName, child));
				}
			}
			else {
				rows.put(name, row(name, property));
			}
		}
		StringBuilder table = new StringBuilder("| Property | Type | Default | Description |\n|---|---|---|---|\n");
		rows.values().forEach(table::append);
		return table.toString();
	}

	private static String row(String name, JsonNode property) {
		String type = property.path("type").asString("").replaceAll("[\\w.]+\\.([A-Z][\\w]*)", "$1")
			.replace('$', '.')
			.replace(",", ", ");
		JsonNode defaultValue = property.get("defaultValue");
		String defaults = (defaultValue == null) ? "" : "`" + defaultValue.asString(defaultValue.toString()) + "`";
		String description = property.path("description").asString("").replace("|", "\\|").replace("\n", " ");
		return "| `" + name + "` | " + type.replace("<", "&lt;").replace(">", "&gt;") + " | " + defaults + " | "
				+ description + " |\n";
	}

}
