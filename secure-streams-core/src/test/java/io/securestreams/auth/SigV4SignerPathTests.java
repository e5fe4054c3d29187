package io.securestreams.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Signed paths against the cases of AWS's published Signature Version 4 test suite (credentials
 * AKIDEXAMPLE, 2015-08-30, us-east-1, service "service"): AWS signs the path percent-encoded,
 * so a path holding anything but unreserved characters and slashes must be signed encoded. For
 * S3 a path the sender already encoded signs the same; other services normalise the path as sent
 * and encode it once more.
 */
class SigV4SignerPathTests {

	private static final AwsCredentials EXAMPLE = new AwsCredentials("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

	private static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	static Stream<Arguments> suiteCases() {
		String utf8 = "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85";
		String space = "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741";
		String special = "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27";
		return Stream.of(arguments("get-utf8", "/\u1234", utf8),
				arguments("get-space", "/example space/", space),
				arguments("get-special-character", "/example/$delete", special),
				arguments("get-unreserved", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
						"07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
	}

	static Stream<Arguments> canonicalPaths() {
		return Stream.of(arguments("service", "/", "/"), arguments("service", "/example/..", "/"),
				arguments("service", "/example1/example2/../..", "/"), arguments("service", "//", "/"),
				arguments("service", "/./", "/"), arguments("service", "/./example", "/example"),
				arguments("service", "//example//", "/example/"), arguments("service", "/a/b/../c/.", "/a/c/"),
				arguments("service", "/..", "/"), arguments("service", "/a b/$x", "/a%20b/%24x"),
				arguments("service", "/%E1%88%B4", "/%25E1%2588%25B4"),
				arguments("service", "/example%20space/", "/example%2520space/"),
				arguments("s3", "/\u1234", "/%E1%88%B4"), arguments("s3", "/%E1%88%B4", "/%E1%88%B4"),
				arguments("s3", "/example/$delete", "/example/%24delete"),
				arguments("s3", "/example/%24delete", "/example/%24delete"),
				arguments("s3", "//photos/../a b.jpg", "//photos/../a%20b.jpg"));
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("canonicalPaths")
	void pathIsCanonicalisedByTheRuleOfItsService(String service, String path, String canonical) {
		assertThat(SigV4Encoding.path(path, service)).isEqualTo(canonical);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("suiteCases")
	void pathIsSignedPercentEncodedAsAwsDoes(String name, String path, String signature) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Host", "example.amazonaws.com");
		headers.put("X-Amz-Date", "20150830T123600Z");
		assertThat(SigV4Signer.authorization("GET", path, headers, EMPTY_PAYLOAD, "us-east-1", "service", EXAMPLE))
			.endsWith("Signature=" + signature);
	}

}
