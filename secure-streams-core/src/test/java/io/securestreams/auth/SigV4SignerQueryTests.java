package io.securestreams.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Signed requests with a query, against the cases of AWS's published Signature Version 4 test
 * suite (credentials AKIDEXAMPLE, 2015-08-30, us-east-1, service "service"): AWS canonicalises
 * the query, so a signature over an empty canonical query is refused for any request that has one.
 */
class SigV4SignerQueryTests {

	private static final AwsCredentials EXAMPLE = new AwsCredentials("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

	private static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	private static final String UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	static Stream<Arguments> suiteCases() {
		return Stream.of(
				arguments("get-vanilla-empty-query-key", "GET", "/?Param1=value1",
						"a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
				arguments("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1",
						"b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
				arguments("get-vanilla-query-order-key", "GET", "/?Param1=value2&Param1=Value1",
						"eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
				arguments("get-vanilla-query-order-value", "GET", "/?Param1=value2&Param1=value1",
						"5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
				arguments("get-vanilla-query-order-encoded", "GET", "/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
						"371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
				arguments("get-vanilla-utf8-query", "GET", "/?\u1234=bar",
						"2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
				arguments("post-vanilla-query", "POST", "/?Param1=value1",
						"28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("suiteCases")
	void queryIsCanonicalisedAsAwsDoes(String name, String method, String path, String signature) {
		assertThat(sign(method, path, Map.of())).endsWith("Signature=" + signature);
	}

	@Test
	void unreservedCharactersStayAsTheyAre() {
		assertThat(sign("GET", "/?" + UNRESERVED + "=" + UNRESERVED, Map.of()))
			.endsWith("Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");
	}

	@Test
	void sessionTokenIsSignedWithTheOtherAmzHeaders() {
		assertThat(sign("GET", "/", Map.of("X-Amz-Security-Token",
				"6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")))
			.isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
					+ "SignedHeaders=host;x-amz-date;x-amz-security-token, "
					+ "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
	}

	@Test
	void reservedCharactersAreEncodedTheSameWhateverTheSenderEncoded() {
		Map<String, String> signed = new TreeMap<>(Map.of("host", "example.amazonaws.com"));
		String expected = "GET\n/list\ndelimiter=%2F&marker=&prefix=a%2Fb%20c%2Bd&x=%25zz\n"
				+ "host:example.amazonaws.com\n\nhost\n" + EMPTY_PAYLOAD;
		assertThat(SigV4Signer.canonicalRequest("GET", "/list?prefix=a/b%20c+d&delimiter=%2f&marker&x=%zz&",
				"service", signed, "host", EMPTY_PAYLOAD)).isEqualTo(expected);
		assertThat(SigV4Signer.canonicalRequest("GET", "/list?x=%25zz&marker=&delimiter=/&prefix=a%2Fb%20c%2Bd",
				"service", signed, "host", EMPTY_PAYLOAD)).isEqualTo(expected);
	}

	@Test
	void emptyQueryIsAnEmptyCanonicalQuery() {
		assertThat(sign("GET", "/?", Map.of()))
			.endsWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	}

	private static String sign(String method, String path, Map<String, String> extra) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Host", "example.amazonaws.com");
		headers.put("X-Amz-Date", "20150830T123600Z");
		headers.putAll(extra);
		return SigV4Signer.authorization(method, path, headers, EMPTY_PAYLOAD, "us-east-1", "service", EXAMPLE);
	}

}
