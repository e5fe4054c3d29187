package io.securestreams.auth;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * AWS Signature Version 4 against the examples AWS publishes for it.
 */
class SigV4SignerTests {

	private static final AwsCredentials EXAMPLE = new AwsCredentials("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

	private static final String EMPTY_PAYLOAD = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	@Test
	void signingKeyMatchesTheDerivationExample() {
		byte[] key = SigV4Signer.signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
		assertThat(HexFormat.of().formatHex(key))
			.isEqualTo("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
	}

	@Test
	void getVanillaFromTheSignatureTestSuite() {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Host", "example.amazonaws.com");
		headers.put("X-Amz-Date", "20150830T123600Z");
		String authorization = SigV4Signer.authorization("GET", "/", headers, EMPTY_PAYLOAD, "us-east-1", "service",
				EXAMPLE);
		assertThat(authorization).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
				+ "aws4_request, SignedHeaders=host;x-amz-date, "
				+ "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	}

	@Test
	void canonicalRequestSignsHostAndAmzHeadersOnlySorted() {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("X-Amz-Date", "20150830T123600Z");
		headers.put("content-type", "text/plain");
		headers.put("host", "bucket.s3.amazonaws.com");
		headers.put("x-amz-content-sha256", EMPTY_PAYLOAD);
		headers.put("X-Amz-Meta-Note", "  two   spaces ");
		String authorization = SigV4Signer.authorization("PUT", "/key?partNumber=1", headers, EMPTY_PAYLOAD,
				"eu-west-1", "s3", EXAMPLE);
		assertThat(authorization).contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-note,");
		Map<String, String> signed = new java.util.TreeMap<>(Map.of("host", "bucket.s3.amazonaws.com",
				"x-amz-content-sha256", EMPTY_PAYLOAD, "x-amz-date", "20150830T123600Z",
				"x-amz-meta-note", "two spaces"));
		assertThat(SigV4Signer.canonicalRequest("PUT", "/key?partNumber=1", "s3", signed,
				String.join(";", signed.keySet()), EMPTY_PAYLOAD))
			.isEqualTo("PUT\n/key\npartNumber=1\nhost:bucket.s3.amazonaws.com\nx-amz-content-sha256:" + EMPTY_PAYLOAD
					+ "\nx-amz-date:20150830T123600Z\nx-amz-meta-note:two spaces\n\n"
					+ "host;x-amz-content-sha256;x-amz-date;x-amz-meta-note\n" + EMPTY_PAYLOAD);
	}

	@Test
	void missingDateOrHostIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.authorization("GET", "/",
				Map.of("host", "example.amazonaws.com"), EMPTY_PAYLOAD, "us-east-1", "s3", EXAMPLE))
			.withMessageContaining("x-amz-date");
		assertThatIllegalArgumentException().isThrownBy(() -> SigV4Signer.authorization("GET", "/",
				Map.of("x-amz-date", "20150830T123600Z"), EMPTY_PAYLOAD, "us-east-1", "s3", EXAMPLE))
			.withMessageContaining("host");
	}

	@Test
	void secretIsNotPrinted() {
		assertThat(EXAMPLE.toString()).contains("AKIDEXAMPLE").doesNotContain("EXAMPLEKEY");
	}

}
