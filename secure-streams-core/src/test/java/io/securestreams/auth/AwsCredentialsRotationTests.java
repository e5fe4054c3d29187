package io.securestreams.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SystemBlobs;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An AWS key replaced while requests are signed (temporary credentials are rotated every hour or
 * so): a signer reads the key id and the secret of one key, never the new id with the old secret,
 * which AWS refuses.
 */
class AwsCredentialsRotationTests {

	private static final int ROTATIONS = 200_000;

	@Test
	void aSignerReadingWhileTheKeyIsReplacedGetsOneWholeKey() {
		SystemBlobs blobs = new SystemBlobs().awsCredentials(1, "AKIDONE", "secret-of-one");
		AtomicBoolean rotating = new AtomicBoolean(true);
		CompletableFuture<Void> rotation = CompletableFuture.runAsync(() -> {
			try {
				for (int i = 0; i < ROTATIONS; i++) {
					blobs.awsCredentials(1, "AKIDTWO", "secret-of-two");
					blobs.awsCredentials(1, "AKIDONE", "secret-of-one");
				}
			}
			finally {
				rotating.set(false);
			}
		});
		int mixed = 0;
		AwsCredentials seen = null;
		while (rotating.get() && mixed == 0) {
			seen = blobs.awsCredentials(1);
			String owner = seen.keyId().substring(4).toLowerCase(java.util.Locale.ROOT);
			if (!seen.secret().equals("secret-of-" + owner)) {
				mixed++;
			}
		}
		rotation.join();
		assertThat(mixed).as("a key id read with another key's secret (last read: %s / %s)", seen,
				(seen != null) ? seen.secret() : null).isZero();
	}

}
