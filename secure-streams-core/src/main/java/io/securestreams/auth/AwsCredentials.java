package io.securestreams.auth;

/**
 * An AWS access key: the key id named in the signature and the secret it is derived from.
 *
 * @param keyId the access key id
 * @param secret the secret access key
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record AwsCredentials(String keyId, String secret) {

	@Override
	public String toString() {
		// The secret never reaches a log line.
		return "AwsCredentials[keyId=" + this.keyId + "]";
	}

}
