package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocatingJsonFactory}: its parser's int positions agree with Jackson's
 * {@code currentTokenLocation()} on every token, and inputs it does not take over get Jackson's
 * own parser.
 */
class LocatingJsonFactoryTests {

	private static final JsonFactory FACTORY = new LocatingJsonFactory(
			JsonFactory.builder().enable(JsonReadFeature.ALLOW_TRAILING_COMMA));

	static List<String> fixtures() {
		return PolicyFixtures.names();
	}

	@ParameterizedTest
	@MethodSource("fixtures")
	void positionsMatchJacksonLocationsOnEveryTokenOfTheFixtures(String fixture) {
		assertPositionsMatch(PolicyFixtures.load(fixture));
	}

	@Test
	void positionsMatchWithCarriageReturnsMultiByteTextAndTrailingCommas() {
		String json = "{\r\n\t\"a\": \"h\u00e9llo \u20ac \ud83d\ude00\",\r\n\"b\" :[1, 2.5, true, null,\n"
				+ "{\"c\": {}},],\r"
				+ "  \"\u00fc\": -3e7,\n}\n";
		assertPositionsMatch(json.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void utf8ByteArraysGetTheLocatingParser() {
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(),
				"{}".getBytes(StandardCharsets.UTF_8))) {
			assertThat(parser).isInstanceOf(LocatingJsonFactory.LocatingParser.class);
		}
	}

	@Test
	void aByteOrderMarkOrUtf16IsLeftToJackson() {
		byte[] bom = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}' };
		byte[] utf16 = "{\"a\": 1}".getBytes(StandardCharsets.UTF_16LE);
		for (byte[] json : List.of(bom, utf16)) {
			try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), json)) {
				assertThat(parser).isNotInstanceOf(LocatingJsonFactory.LocatingParser.class);
				assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
			}
		}
	}

	private static void assertPositionsMatch(byte[] json) {
		List<String> expected = new ArrayList<>();
		List<String> actual = new ArrayList<>();
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), json)) {
			LocatingJsonFactory.LocatingParser locating = (LocatingJsonFactory.LocatingParser) parser;
			while (parser.nextToken() != null) {
				TokenStreamLocation location = parser.currentTokenLocation();
				expected.add(parser.currentToken() + "@" + location.getLineNr() + ":" + location.getColumnNr());
				actual.add(parser.currentToken() + "@" + locating.tokenLine() + ":" + locating.tokenColumn());
			}
		}
		assertThat(actual).isNotEmpty().containsExactlyElementsOf(expected);
	}

}
