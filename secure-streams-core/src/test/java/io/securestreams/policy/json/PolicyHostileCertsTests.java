package io.securestreams.policy.json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A {@code certs} value is decoded from text a remote server may have sent (a fetched policy):
 * hostile bytes must end as a located policy error, never as an error thrown out of the parser.
 */
class PolicyHostileCertsTests {

	@Test
	void deeplyNestedIndefiniteLengthEncodingIsAnErrorInPlace() {
		// 100,000 nested BER SEQUENCEs of indefinite length (30 80 ...): not DER, and about
		// half a megabyte, far below the fetcher's 4 MiB limit.
		int levels = 100_000;
		byte[] ber = new byte[levels * 2];
		for (int i = 0; i < levels; i++) {
			ber[2 * i] = 0x30;
			ber[2 * i + 1] = (byte) 0x80;
		}
		String json = "{\"certs\": [{\"c\": \"" + Base64.getEncoder().encodeToString(ber) + "\"}]}";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8)))
			.satisfies((ex) -> assertThat(ex.problems())
				.extracting(PolicyProblem::format)
				.containsExactly("t.json:1:18: certs[0].c: expected base64 DER of an X.509 certificate or a private "
						+ "key, got base64 that decodes to neither"));
	}

	@Test
	void indefiniteLengthOuterSequenceIsNotDer() {
		// A short one: the outer length must be definite (DER), whatever follows.
		String value = Base64.getEncoder().encodeToString(new byte[] { 0x30, (byte) 0x80, 0x05, 0x00, 0x00, 0x00 });
		String json = "{\"certs\": [{\"c\": \"" + value + "\"}]}";
		assertThatExceptionOfType(PolicyException.class)
			.isThrownBy(() -> new PolicyParser().parse("t.json", json.getBytes(StandardCharsets.UTF_8)));
	}

}
