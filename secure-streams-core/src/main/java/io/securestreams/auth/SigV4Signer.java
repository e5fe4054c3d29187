package io.securestreams.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the {@code Authorization} header of AWS Signature Version 4 for one request, as
 * libwebsockets' {@code auth-sigv4} does: the signed headers are {@code host} and the request's
 * {@code x-amz-*} headers, the payload hash is the value the request carries in
 * {@code x-amz-content-sha256} (or any hash the caller supplies), and the date comes from
 * {@code x-amz-date}. The path and query are canonicalised as AWS does (decoded, encoded again as
 * RFC 3986 requires, the query's parameters sorted): libwebsockets signs the path as sent and
 * leaves the query unimplemented, so AWS refuses its signature for a path holding any other
 * character or a request with a query. Stateless and thread-safe.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SigV4Signer {

	/** The algorithm name that starts the string to sign and the header value. */
	public static final String ALGORITHM = "AWS4-HMAC-SHA256";

	private static final HexFormat HEX = HexFormat.of();

	private SigV4Signer() {
	}

	/**
	 * Signs a request.
	 * @param method the http method
	 * @param path the request path, with its query if any
	 * @param headers the request's headers by name (any case): {@code host} and every
	 * {@code x-amz-*} header are signed, and {@code x-amz-date} must be one of them
	 * @param payloadHash the lowercase hex SHA-256 of the body, as sent in
	 * {@code x-amz-content-sha256}
	 * @param region the AWS region, for example {@code us-east-1}
	 * @param service the AWS service, for example {@code s3}
	 * @param credentials the access key id and secret
	 * @return the {@code Authorization} header value
	 * @throws IllegalArgumentException when {@code host} or a valid {@code x-amz-date} is missing
	 */
	public static String authorization(String method, String path, Map<String, String> headers, String payloadHash,
			String region, String service, AwsCredentials credentials) {
		TreeMap<String, String> signed = signedHeaders(headers);
		String timestamp = signed.get("x-amz-date");
		if (!signed.containsKey("host") || timestamp == null || timestamp.length() < 8) {
			throw new IllegalArgumentException("sigv4 needs a host header and an x-amz-date header (YYYYMMDDTHHMMSSZ)");
		}
		String day = timestamp.substring(0, 8);
		String scope = day + "/" + region + "/" + service + "/aws4_request";
		String names = String.join(";", signed.keySet());
		String stringToSign = ALGORITHM + "\n" + timestamp + "\n" + scope + "\n"
				+ HEX.formatHex(sha256(canonicalRequest(method, path, service, signed, names, payloadHash)));
		String signature = HEX.formatHex(hmac(signingKey(credentials.secret(), day, region, service), stringToSign));
		return ALGORITHM + " Credential=" + credentials.keyId() + "/" + scope + ", SignedHeaders=" + names
				+ ", Signature=" + signature;
	}

	/**
	 * Returns the canonical request that is hashed into the string to sign.
	 * @param method the http method
	 * @param path the request path and query as sent
	 * @param service the AWS service, which decides how the path is canonicalised
	 * @param signed the signed headers, lowercase names in order, values trimmed
	 * @param names the signed header names joined with {@code ;}
	 * @param payloadHash the payload hash
	 * @return the canonical request
	 */
	static String canonicalRequest(String method, String path, String service, Map<String, String> signed,
			String names, String payloadHash) {
		int query = path.indexOf('?');
		StringBuilder canonical = new StringBuilder(256).append(method).append('\n')
			.append(SigV4Encoding.path((query >= 0) ? path.substring(0, query) : path, service)).append('\n')
			.append((query >= 0) ? SigV4Encoding.query(path.substring(query + 1)) : "").append('\n');
		signed.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
		return canonical.append('\n').append(names).append('\n').append(payloadHash).toString();
	}

	/**
	 * Derives the signing key of one day, region and service from the secret.
	 * @param secret the secret access key
	 * @param day the date, {@code YYYYMMDD}
	 * @param region the region
	 * @param service the service
	 * @return the key
	 */
	static byte[] signingKey(String secret, String day, String region, String service) {
		byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
		key = hmac(key, region);
		key = hmac(key, service);
		return hmac(key, "aws4_request");
	}

	private static TreeMap<String, String> signedHeaders(Map<String, String> headers) {
		TreeMap<String, String> signed = new TreeMap<>();
		headers.forEach((name, value) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (lower.equals("host") || lower.startsWith("x-amz-")) {
				// Canonical values: trimmed, inner runs of spaces folded to one.
				signed.put(lower, value.trim().replaceAll(" +", " "));
			}
		});
		return signed;
	}

	static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	private static byte[] hmac(byte[] key, String data) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
